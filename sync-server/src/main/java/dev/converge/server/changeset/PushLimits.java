package dev.converge.server.changeset;

import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.server.PushLimiter;
import dev.converge.core.server.Refusal;
import dev.converge.server.error.SyncError;
import dev.converge.server.space.SpaceGrants;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The rate limits of pushes on this node, and the metric of every limit a push meets: the shell of
 * the pure {@link PushLimiter}, which it feeds with the monotonic clock. Thread-safe.
 */
@ApplicationScoped
public class PushLimits {

  /** Metric of refusals by limit; tag {@code limit}. */
  public static final String REFUSED_METRIC = "converge.limits.refused";

  private final PushLimiter limiter;
  private final Map<PushLimiter.Limit, Counter> rateRefusals =
      new EnumMap<>(PushLimiter.Limit.class);
  private final Map<String, Counter> consumed = new TreeMap<>();

  PushLimits(LimitSettings settings, MeterRegistry registry) {
    this.limiter =
        new PushLimiter(
            new PushLimiter.Rate(settings.userChangesetsPerSecond(), settings.userBurst()),
            new PushLimiter.Rate(settings.spaceChangesetsPerSecond(), settings.spaceBurst()),
            settings.maxTrackedBuckets());
    for (PushLimiter.Limit limit : PushLimiter.Limit.values()) {
      rateRefusals.put(limit, counter(registry, limit.tag()));
    }
    consumed.put(ErrorCode.READ_ONLY.wire(), counter(registry, "read-only"));
    consumed.put(ErrorCode.WRITE_REFUSED.wire(), counter(registry, "write-rule"));
    consumed.put(ErrorCode.DOCUMENT_TOO_LARGE.wire(), counter(registry, "document-size"));
    consumed.put(ErrorCode.QUOTA_EXCEEDED.wire(), counter(registry, "space-bytes"));
    Gauge.builder("converge.limits.tracked.buckets", limiter, l -> l.tracked()[0])
        .tag("kind", "user")
        .description("Rate buckets kept on this node")
        .register(registry);
    Gauge.builder("converge.limits.tracked.buckets", limiter, l -> l.tracked()[1])
        .tag("kind", "space")
        .description("Rate buckets kept on this node")
        .register(registry);
  }

  private static Counter counter(MeterRegistry registry, String limit) {
    return Counter.builder(REFUSED_METRIC)
        .tag("limit", limit)
        .description("Pushes or changesets refused by a limit or write rule")
        .register(registry);
  }

  /**
   * Admits a push, charging the user's bucket and the bucket of each granted space it writes to.
   *
   * @throws SyncError {@code rate_limited} with its retry hint when a bucket is empty
   */
  public void admit(SpaceGrants grants, List<Changeset> changesets) {
    Map<String, Integer> perSpace = new TreeMap<>();
    for (Changeset c : changesets) {
      // Only granted spaces get a bucket: names from the wire must not grow the table.
      if (grants.allows(c.space())) {
        perSpace.merge(c.space(), 1, Integer::sum);
      }
    }
    Optional<PushLimiter.Refusal> refused =
        limiter.admit(System.nanoTime(), grants.subject(), perSpace);
    if (refused.isPresent()) {
      PushLimiter.Refusal r = refused.get();
      rateRefusals.get(r.limit()).increment();
      String whose =
          r.limit() == PushLimiter.Limit.USER_RATE ? "this user's" : "space '" + r.key() + "''s";
      throw new SyncError(
          ErrorCode.RATE_LIMITED,
          "push refused: "
              + whose
              + " changesets per second are used up; nothing was applied, push again in "
              + r.retryAfterMillis()
              + " ms",
          null,
          r.retryAfterMillis());
    }
  }

  /** Counts the refusals of a committed push that a write rule or quota made. */
  void count(List<Refusal> refusals) {
    for (Refusal r : refusals) {
      Counter c = consumed.get(r.code());
      if (c != null) {
        c.increment();
      }
    }
  }
}
