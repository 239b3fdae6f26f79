package dev.converge.sdk.internal.sync;

import java.time.Duration;
import java.util.Random;

/**
 * Jittered exponential backoff ("equal jitter"): attempt n waits a random time in [d/2, d] with d =
 * min(max, min * 2^n), so many clients dropped at once do not reconnect in lockstep, yet none
 * retries immediately. Not thread-safe; the engine uses it from its own thread.
 */
final class Backoff {
  private final long minMillis;
  private final long maxMillis;
  private final Random random;
  private int attempt;

  Backoff(Duration min, Duration max, Random random) {
    this.minMillis = Math.max(1, min.toMillis());
    this.maxMillis = Math.max(minMillis, max.toMillis());
    this.random = random;
  }

  /** Returns the delay before the next attempt and counts the attempt. */
  long nextDelayMillis() {
    long ceiling = minMillis << Math.min(attempt, 30);
    if (ceiling <= 0 || ceiling > maxMillis) {
      ceiling = maxMillis;
    }
    attempt++;
    long half = ceiling / 2;
    return half + (long) (random.nextDouble() * (ceiling - half + 1));
  }

  /** Forgets past failures (after a successful connection). */
  void reset() {
    attempt = 0;
  }

  int attempts() {
    return attempt;
  }
}
