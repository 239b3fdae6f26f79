package dev.converge.core.crdt;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A bounded hybrid logical clock (Kulkarni et al. 2014): issues timestamps that never go backwards,
 * follow the wall clock when it moves forward, and move past every timestamp observed from other
 * replicas, <b>up to a bound</b>: physical time plus a maximum offset.
 *
 * <p><b>Why bounded.</b> A timestamp only orders concurrent register writes; it never decides
 * causality (a write made after seeing another supersedes it by its dots, whatever the clocks say).
 * An unbounded clock adopts whatever a peer sends: one change stamped in year 9999 would move every
 * device that sees it there for good, and the largest stamp the codec accepts would leave no room
 * to tick. So a remote stamp beyond {@code wall + maxOffset} is adopted as {@code (wall +
 * maxOffset, 0)}, and a timestamp persisted beyond that bound (a clock poisoned before this rule)
 * is clamped when the clock is created. Nothing a peer sends makes this clock throw: at the very
 * end of the range it saturates instead.
 *
 * <p><b>The default offset, {@link #DEFAULT_MAX_OFFSET} (24 hours).</b> Device clocks are most
 * often wrong by whole hours (a wrong time zone or daylight-saving setting applied to the UTC
 * clock), not by seconds. While the offset exceeds the skew between two devices, a device that has
 * seen a write stamps its own later writes after it, so LWW among concurrent writes still follows
 * the order in which users saw things; a tight bound (say one minute) would leave a device set
 * hours behind losing every concurrent tie for those hours. A day covers every time-zone error but
 * the most extreme pairs, and still limits what a hostile or broken stamp can do: it pins no clock
 * more than a day ahead, and that lead wears off as real time catches up.
 *
 * <p>Thread-safe.
 */
public final class HybridClock {

  /** The default greatest lead over physical time that a remote timestamp can give this clock. */
  public static final Duration DEFAULT_MAX_OFFSET = Duration.ofHours(24);

  private final LongSupplier wallMillis;
  private final long maxOffsetMillis;
  private Hlc last;

  /** A clock on {@link System#currentTimeMillis()} with the default offset. */
  public HybridClock() {
    this(System::currentTimeMillis, DEFAULT_MAX_OFFSET, Hlc.ZERO);
  }

  /**
   * A clock on the given wall-clock source with the default offset, starting after {@code last}
   * (for example a persisted value), clamped to the bound.
   */
  public HybridClock(LongSupplier wallMillis, Hlc last) {
    this(wallMillis, DEFAULT_MAX_OFFSET, last);
  }

  /**
   * A clock on the given wall-clock source, starting after {@code last} (for example a persisted
   * value). A {@code last} beyond {@code wall + maxOffset} is clamped to that bound.
   *
   * @throws IllegalArgumentException if {@code maxOffset} is negative
   */
  public HybridClock(LongSupplier wallMillis, Duration maxOffset, Hlc last) {
    this.wallMillis = Objects.requireNonNull(wallMillis, "wallMillis");
    if (maxOffset.isNegative()) {
      throw new IllegalArgumentException("maxOffset < 0: " + maxOffset);
    }
    this.maxOffsetMillis = Math.min(maxOffset.toMillis(), Hlc.MAX_MILLIS);
    Hlc bound = new Hlc(bound(wall()), 0);
    this.last = last.compareTo(bound) > 0 ? bound : last;
  }

  /** Returns the greatest lead over physical time that a remote timestamp can give this clock. */
  public Duration maxOffset() {
    return Duration.ofMillis(maxOffsetMillis);
  }

  /** Returns a timestamp greater than every one this clock issued or observed before. */
  public synchronized Hlc now() {
    long wall = wall();
    last = wall > last.millis() ? new Hlc(wall, 0) : tick(last);
    return last;
  }

  /**
   * Moves this clock past a remote timestamp, so that the next local timestamp orders after it; a
   * remote timestamp beyond physical time + the max offset counts as that bound. Never throws.
   *
   * @return the clock's new latest timestamp
   */
  public synchronized Hlc observe(Hlc remote) {
    long wall = wall();
    Hlc bound = new Hlc(bound(wall), 0);
    Hlc adopted = remote.compareTo(bound) > 0 ? bound : remote;
    Hlc latest = adopted.compareTo(last) > 0 ? adopted : last;
    // The classic HLC receive rule: strictly after both, or the wall clock if that is later.
    last = wall > latest.millis() ? new Hlc(wall, 0) : tick(latest);
    return last;
  }

  /** Returns the latest timestamp issued or observed, for persisting. */
  public synchronized Hlc last() {
    return last;
  }

  private long wall() {
    return Math.min(Hlc.MAX_MILLIS, Math.max(0, wallMillis.getAsLong()));
  }

  private long bound(long wall) {
    return Math.min(Hlc.MAX_MILLIS, wall + maxOffsetMillis);
  }

  /** The next timestamp after {@code t}; saturates at the largest timestamp instead of throwing. */
  private static Hlc tick(Hlc t) {
    if (t.logical() < Integer.MAX_VALUE) {
      return new Hlc(t.millis(), t.logical() + 1);
    }
    // On logical overflow borrow one millisecond: order is kept (2^31 ticks in one ms do not
    // happen).
    return t.millis() < Hlc.MAX_MILLIS ? new Hlc(t.millis() + 1, 0) : Hlc.MAX;
  }
}
