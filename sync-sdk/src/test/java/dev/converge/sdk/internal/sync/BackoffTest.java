package dev.converge.sdk.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void delaysDoubleWithJitter_upToTheMaximum_andResetAfterSuccess() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random(7));
    long[] ceilings = {100, 200, 400, 800, 1600, 2000, 2000, 2000};
    for (long ceiling : ceilings) {
      long delay = backoff.nextDelayMillis();
      assertThat(delay).isBetween(ceiling / 2, ceiling);
    }
    backoff.reset();
    assertThat(backoff.nextDelayMillis()).isBetween(50L, 100L);
  }

  @Test
  void jitterSpreadsClients() {
    java.util.Set<Long> first = new java.util.HashSet<>();
    Random seeds = new Random(42);
    for (int client = 0; client < 20; client++) {
      first.add(
          new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new Random(seeds.nextLong()))
              .nextDelayMillis());
    }
    assertThat(first).hasSizeGreaterThan(15).allMatch(d -> d >= 500 && d <= 1000);
  }
}
