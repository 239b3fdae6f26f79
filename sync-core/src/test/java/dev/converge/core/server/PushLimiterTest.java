package dev.converge.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Token buckets per user and per space, with time passed in. */
class PushLimiterTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aUsersBurstPasses_thenTheRate_withARetryHintToTheMillisecond() {
    PushLimiter limiter =
        new PushLimiter(new PushLimiter.Rate(10, 5), new PushLimiter.Rate(0, 0), 100);
    long t = 7 * SECOND;
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.admit(t, "alice", Map.of("user:alice", 1))).isEmpty();
    }
    var refused = limiter.admit(t, "alice", Map.of("user:alice", 1));
    assertThat(refused)
        .get()
        .satisfies(
            r -> {
              assertThat(r.limit()).isEqualTo(PushLimiter.Limit.USER_RATE);
              assertThat(r.key()).isEqualTo("alice");
              assertThat(r.retryAfterMillis()).isEqualTo(100);
            });
    // Another user is not slowed down.
    assertThat(limiter.admit(t, "bob", Map.of("user:bob", 1))).isEmpty();
    assertThat(limiter.admit(t + 100_000_000L, "alice", Map.of("user:alice", 1))).isEmpty();
    assertThat(limiter.admit(t + 100_000_000L, "alice", Map.of("user:alice", 1))).isPresent();
  }

  @Test
  void aPushBiggerThanTheBurst_passesOnce_andItsSenderWaitsForItsSize() {
    PushLimiter limiter =
        new PushLimiter(new PushLimiter.Rate(100, 10), new PushLimiter.Rate(0, 0), 100);
    assertThat(limiter.admit(0, "alice", Map.of("s", 500))).isEmpty();
    // 10 - 500 = -490 tokens: 491 more are needed, 4.91 s at 100/s.
    assertThat(limiter.admit(0, "alice", Map.of("s", 1)).orElseThrow().retryAfterMillis())
        .isEqualTo(4910);
  }

  @Test
  void aSpaceLimit_slowsEveryWriterOfTheSpace_andChargesNothingWhenRefused() {
    PushLimiter limiter =
        new PushLimiter(new PushLimiter.Rate(0, 0), new PushLimiter.Rate(1, 2), 100);
    assertThat(limiter.admit(0, "alice", Map.of("team:1", 1))).isEmpty();
    assertThat(limiter.admit(0, "bob", Map.of("team:1", 1))).isEmpty();
    var refused = limiter.admit(0, "carol", Map.of("team:1", 1, "user:carol", 1));
    assertThat(refused)
        .get()
        .satisfies(
            r -> {
              assertThat(r.limit()).isEqualTo(PushLimiter.Limit.SPACE_RATE);
              assertThat(r.key()).isEqualTo("team:1");
              assertThat(r.retryAfterMillis()).isEqualTo(1000);
            });
    assertThat(limiter.admit(0, "carol", Map.of("user:carol", 2))).isEmpty();
  }

  @Test
  void bucketsAreBounded_fullOnesForgottenFirst() {
    PushLimiter limiter =
        new PushLimiter(new PushLimiter.Rate(1, 1), new PushLimiter.Rate(0, 0), 3);
    for (int i = 0; i < 10; i++) {
      limiter.admit(0, "u" + i, Map.of("s", 1));
      assertThat(limiter.tracked()[0]).isLessThanOrEqualTo(3);
    }
    // u9 is still tracked, empty: refused.
    assertThat(limiter.admit(0, "u9", Map.of("s", 1))).isPresent();
    // A second later every bucket is full again: new users evict them, none is refused.
    for (int i = 10; i < 20; i++) {
      assertThat(limiter.admit(SECOND, "u" + i, Map.of("s", 1))).isEmpty();
    }
    assertThat(limiter.tracked()[0]).isEqualTo(3);
  }
}
