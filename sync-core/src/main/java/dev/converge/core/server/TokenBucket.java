package dev.converge.core.server;

/**
 * A token bucket: {@code ratePerSecond} tokens flow in, up to {@code burst}; taking needs at least
 * one token and may take more than there are, leaving a debt that later takes wait out. So a push
 * bigger than the burst still passes once, and its sender then waits in proportion to its size.
 * Time comes in with each call (nanoseconds of a monotonic clock). Not thread-safe.
 */
public final class TokenBucket {
  private static final double NANOS_PER_SECOND = 1e9;

  private final double ratePerNano;
  private final double burst;
  private double tokens;
  private long at;

  /**
   * Creates a full bucket.
   *
   * @param ratePerSecond tokens added per second, > 0
   * @param burst the most tokens the bucket holds, >= 1
   * @param nowNanos the current time
   */
  public TokenBucket(double ratePerSecond, double burst, long nowNanos) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) {
      throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
    }
    this.ratePerNano = ratePerSecond / NANOS_PER_SECOND;
    this.burst = burst;
    this.tokens = burst;
    this.at = nowNanos;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - at;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * ratePerNano);
      at = nowNanos;
    }
  }

  /**
   * Returns how long until a take is allowed: 0 when the bucket holds at least one token now, else
   * the nanoseconds until it will.
   */
  public long waitNanos(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      return 0;
    }
    return (long) Math.ceil((1 - tokens) / ratePerNano);
  }

  /** Takes {@code n} tokens, possibly into debt; call after {@link #waitNanos} returned 0. */
  public void take(long nowNanos, int n) {
    refill(nowNanos);
    tokens -= n;
  }

  /** Returns whether the bucket is full at {@code nowNanos}: forgetting it changes nothing. */
  public boolean isFull(long nowNanos) {
    refill(nowNanos);
    return tokens >= burst;
  }
}
