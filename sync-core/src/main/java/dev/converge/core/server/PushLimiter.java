package dev.converge.core.server;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Changesets per second, per user and per space: one {@link TokenBucket} each, charged with the
 * number of changesets a push carries (into a space: the number for that space). A push is admitted
 * only when every bucket it would charge holds a token; then all are charged, else none. Pure: the
 * caller passes the time, so the simulation can run it.
 *
 * <p>Bounded: at most {@code maxTracked} buckets per kind are kept; full buckets are forgotten
 * first (a full bucket is the same as none), and beyond that the least recently used. Thread-safe
 * (one monitor; every call is a few map operations).
 */
public final class PushLimiter {

  /** Which limit refused a push. */
  public enum Limit {
    /** The user's changesets per second. */
    USER_RATE("user-rate"),
    /** A space's changesets per second. */
    SPACE_RATE("space-rate");

    private final String tag;

    Limit(String tag) {
      this.tag = tag;
    }

    /** Returns the limit's name in metrics and messages. */
    public String tag() {
      return tag;
    }
  }

  /**
   * A refused push.
   *
   * @param limit the limit reached
   * @param key the user or space whose bucket is empty
   * @param retryAfterMillis when the push may pass, at the earliest
   */
  public record Refusal(Limit limit, String key, long retryAfterMillis) {}

  /**
   * A limit's setting.
   *
   * @param perSecond changesets per second; 0 turns the limit off
   * @param burst the most changesets passed at once after a pause
   */
  public record Rate(double perSecond, double burst) {
    /** Checks the values. */
    public Rate {
      if (perSecond < 0 || (perSecond > 0 && burst < 1)) {
        throw new IllegalArgumentException("rate < 0 or burst < 1: " + perSecond + ", " + burst);
      }
    }

    boolean off() {
      return perSecond == 0;
    }
  }

  private final Rate userRate;
  private final Rate spaceRate;
  private final int maxTracked;
  private final Buckets users = new Buckets();
  private final Buckets spaces = new Buckets();

  /**
   * Creates the limiter.
   *
   * @param maxTracked the most buckets kept per kind, >= 1
   */
  public PushLimiter(Rate userRate, Rate spaceRate, int maxTracked) {
    if (maxTracked < 1) {
      throw new IllegalArgumentException("maxTracked < 1: " + maxTracked);
    }
    this.userRate = userRate;
    this.spaceRate = spaceRate;
    this.maxTracked = maxTracked;
  }

  /**
   * Admits a push and charges its buckets, or refuses it and charges nothing.
   *
   * @param subject the pushing user
   * @param perSpace how many changesets the push carries into each granted space
   * @return the refusal, or empty when admitted
   */
  public synchronized Optional<Refusal> admit(
      long nowNanos, String subject, Map<String, Integer> perSpace) {
    int total = perSpace.values().stream().mapToInt(Integer::intValue).sum();
    if (!userRate.off()) {
      long wait = users.get(subject, userRate, nowNanos).waitNanos(nowNanos);
      if (wait > 0) {
        return Optional.of(new Refusal(Limit.USER_RATE, subject, millis(wait)));
      }
    }
    if (!spaceRate.off()) {
      for (String space : perSpace.keySet()) {
        long wait = spaces.get(space, spaceRate, nowNanos).waitNanos(nowNanos);
        if (wait > 0) {
          return Optional.of(new Refusal(Limit.SPACE_RATE, space, millis(wait)));
        }
      }
    }
    if (!userRate.off() && total > 0) {
      users.get(subject, userRate, nowNanos).take(nowNanos, total);
    }
    if (!spaceRate.off()) {
      perSpace.forEach((space, n) -> spaces.get(space, spaceRate, nowNanos).take(nowNanos, n));
    }
    return Optional.empty();
  }

  /** Returns how many buckets are kept (users, spaces): bounded by {@code maxTracked} each. */
  public synchronized int[] tracked() {
    return new int[] {users.size(), spaces.size()};
  }

  private static long millis(long nanos) {
    return Math.max(1, (nanos + 999_999) / 1_000_000);
  }

  /** Buckets by key, in access order, bounded. */
  private final class Buckets extends LinkedHashMap<String, TokenBucket> {
    private static final long serialVersionUID = 1L;

    Buckets() {
      super(16, 0.75f, true);
    }

    TokenBucket get(String key, Rate rate, long nowNanos) {
      TokenBucket bucket = super.get(key);
      if (bucket == null) {
        if (size() >= maxTracked) {
          evict(nowNanos);
        }
        bucket = new TokenBucket(rate.perSecond(), rate.burst(), nowNanos);
        put(key, bucket);
      }
      return bucket;
    }

    /** Forgets full buckets; if none is full, the least recently used one. */
    private void evict(long nowNanos) {
      Iterator<TokenBucket> it = values().iterator();
      boolean removed = false;
      while (it.hasNext()) {
        if (it.next().isFull(nowNanos)) {
          it.remove();
          removed = true;
        }
      }
      if (!removed) {
        it = values().iterator();
        it.next();
        it.remove();
      }
    }
  }
}
