package dev.converge.core.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The bound of {@link HybridClock}: no remote timestamp makes it throw or lead physical time by
 * more than the max offset, and it stays monotone. Properties run over random schedules of
 * wall-clock moves, local ticks and remote stamps (edge values included); QuickTheories prints the
 * falsifying seed, and {@code new Schedule(seed)} replays it.
 */
class BoundedClockTest {

  private static final long SEED = 20261201L;
  private static final long NOW = 1_764_600_000_000L;
  private static final Duration OFFSET = Duration.ofHours(24);
  private static final long OFFSET_MS = OFFSET.toMillis();

  @Test
  void remoteStampsBeyondTheOffset_areAdoptedOnlyUpToIt_andNeverThrow() {
    AtomicLong wall = new AtomicLong(NOW);
    HybridClock clock = new HybridClock(wall::get, OFFSET, Hlc.ZERO);

    assertThat(clock.observe(Hlc.MAX)).isEqualTo(new Hlc(NOW + OFFSET_MS, 1));
    assertThat(clock.observe(Hlc.MAX)).isEqualTo(new Hlc(NOW + OFFSET_MS, 2));
    assertThat(clock.now()).isEqualTo(new Hlc(NOW + OFFSET_MS, 3));
    long year9999 = 253_402_300_799_000L;
    wall.addAndGet(1_000);
    assertThat(clock.observe(new Hlc(year9999, 5))).isEqualTo(new Hlc(NOW + 1_000 + OFFSET_MS, 1));
  }

  @Test
  void aStampWithinTheOffset_isAdoptedWhole() {
    AtomicLong wall = new AtomicLong(NOW);
    HybridClock clock = new HybridClock(wall::get, OFFSET, Hlc.ZERO);
    Hlc threeHoursAhead = new Hlc(NOW + 3 * 3_600_000L, 7);
    clock.observe(threeHoursAhead);
    assertThat(clock.now()).isEqualTo(new Hlc(NOW + 3 * 3_600_000L, 9));
  }

  @Test
  void aClockPoisonedOnDisk_isClampedAtStart_andAnUnpoisonedOneIsKept() {
    assertThat(new HybridClock(() -> NOW, OFFSET, Hlc.MAX).last())
        .isEqualTo(new Hlc(NOW + OFFSET_MS, 0));
    assertThat(new HybridClock(() -> NOW, OFFSET, Hlc.MAX).now())
        .isEqualTo(new Hlc(NOW + OFFSET_MS, 1));
    Hlc recent = new Hlc(NOW + 5, 3);
    assertThat(new HybridClock(() -> NOW, OFFSET, recent).last()).isEqualTo(recent);
  }

  @Test
  void atTheEndOfTime_theClockKeepsTickingWithoutThrowing() {
    HybridClock clock = new HybridClock(() -> Hlc.MAX_MILLIS, OFFSET, Hlc.MAX);
    assertThat(clock.now()).isEqualTo(new Hlc(Hlc.MAX_MILLIS, 1));
    assertThat(clock.observe(Hlc.MAX)).isEqualTo(new Hlc(Hlc.MAX_MILLIS, 2));
    HybridClock almost =
        new HybridClock(
            () -> Hlc.MAX_MILLIS, OFFSET, new Hlc(Hlc.MAX_MILLIS - 1, Integer.MAX_VALUE));
    assertThat(almost.now()).isEqualTo(new Hlc(Hlc.MAX_MILLIS, 0));
  }

  @Test
  void noRemoteStamp_makesTheClockThrow_orLeadTheWallByMoreThanTheOffset() {
    qt().withFixedSeed(SEED)
        .withExamples(2_000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Schedule s = new Schedule(seed);
              for (int i = 0; i < 60; i++) {
                s.step();
                // Logical overflow may borrow a millisecond, but never past the bound: it takes
                // 2^31 ticks.
                assertThat(s.clock.last().millis())
                    .as("seed %d step %d", seed, i)
                    .isLessThanOrEqualTo(Math.min(Hlc.MAX_MILLIS, s.maxWall + OFFSET_MS));
              }
            });
  }

  @Test
  void everyIssuedOrObservedTimestamp_isGreaterThanTheLast_untilSaturation() {
    qt().withFixedSeed(SEED + 1)
        .withExamples(2_000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Schedule s = new Schedule(seed);
              Hlc previous = s.clock.last();
              for (int i = 0; i < 60; i++) {
                Hlc next = s.step();
                if (previous.equals(Hlc.MAX)) {
                  assertThat(next).as("seed %d step %d", seed, i).isEqualTo(Hlc.MAX);
                } else {
                  assertThat(next).as("seed %d step %d", seed, i).isGreaterThan(previous);
                }
                previous = next;
              }
            });
  }

  @Test
  void afterObservingAStampWithinTheBound_theNextLocalStampOrdersAfterIt() {
    qt().withFixedSeed(SEED + 2)
        .withExamples(2_000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Schedule s = new Schedule(seed);
              for (int i = 0; i < 30; i++) {
                s.step();
              }
              Hlc remote = s.remote();
              long bound = Math.min(Hlc.MAX_MILLIS, s.wall.get() + OFFSET_MS);
              Hlc before = s.clock.last();
              s.clock.observe(remote);
              Hlc local = s.clock.now();
              if (remote.compareTo(new Hlc(bound, 0)) <= 0 && remote.compareTo(Hlc.MAX) < 0) {
                assertThat(local).as("seed %d", seed).isGreaterThan(remote);
              } else {
                // Beyond the bound: adopted only up to it (the clock may already lead it after the
                // wall went back).
                assertThat(local.millis())
                    .as("seed %d", seed)
                    .isLessThanOrEqualTo(Math.max(bound, before.millis()));
              }
            });
  }

  /** A random schedule of wall moves, local ticks and remote stamps on one clock. */
  static final class Schedule {
    final Random random;
    final AtomicLong wall = new AtomicLong();
    long maxWall;
    final HybridClock clock;

    Schedule(long seed) {
      random = new Random(seed);
      // Mostly present-day walls; sometimes right at the end of the representable range.
      wall.set(
          random.nextInt(10) == 0
              ? Hlc.MAX_MILLIS - random.nextInt(5_000)
              : NOW + random.nextInt(100_000));
      maxWall = wall.get();
      clock = new HybridClock(wall::get, OFFSET, remote());
    }

    /** Performs one random action and returns the clock's latest timestamp. */
    Hlc step() {
      switch (random.nextInt(4)) {
        case 0 -> {
          // Wall clocks jump both ways (NTP corrections, users changing the time).
          wall.set(
              Math.min(Hlc.MAX_MILLIS, Math.max(0, wall.get() + random.nextInt(20_000) - 5_000)));
          maxWall = Math.max(maxWall, wall.get());
          return clock.now();
        }
        case 1 -> {
          return clock.now();
        }
        default -> {
          return clock.observe(remote());
        }
      }
    }

    /** A remote stamp: near the wall, hours or years ahead, or at the extremes. */
    Hlc remote() {
      long w = wall.get();
      long millis =
          switch (random.nextInt(6)) {
            case 0 -> Hlc.MAX_MILLIS;
            case 1 -> (long) (random.nextDouble() * Hlc.MAX_MILLIS);
            case 2 -> w + OFFSET_MS - 2 + random.nextInt(5);
            case 3 -> w + random.nextInt(48) * 3_600_000L;
            default -> w - 1_000 + random.nextInt(2_000);
          };
      int logical =
          switch (random.nextInt(4)) {
            case 0 -> Integer.MAX_VALUE - random.nextInt(3);
            case 1 -> random.nextInt(Integer.MAX_VALUE);
            default -> random.nextInt(10);
          };
      return new Hlc(Math.max(0, Math.min(Hlc.MAX_MILLIS, millis)), logical);
    }
  }
}
