package dev.converge.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;

/**
 * Anti-entropy and synthetic-monitoring metrics, exported at {@code /q/metrics}. Every meter is
 * registered at start-up (every tag value included), so alert rules can name them before the first
 * divergence or canary round happens. Thread-safe.
 */
@Startup
@ApplicationScoped
public class AntiEntropyMetrics {

  /** Where a divergence was found: which side held the wrong or missing state. */
  public enum Cause {
    /** The device's stored state differed from the server's (a device bug, a restored phone). */
    DEVICE_STATE,
    /** The server's stored document state differed from its checkpoint plus log. */
    SERVER_STATE,
    /** The server's log history differs from the device's (a database restored from a backup). */
    RESTORE;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Which way a repaired document's state travelled. */
  public enum Direction {
    TO_DEVICE,
    TO_SERVER;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Counter exchanges;
  private final Map<Cause, Counter> divergent = new EnumMap<>(Cause.class);
  private final Map<Direction, Counter> repaired = new EnumMap<>(Direction.class);
  private final Timer canaryLag;
  private final Counter canaryFailures;

  /** Registers every meter, with every tag value, in {@code registry}. */
  public AntiEntropyMetrics(MeterRegistry registry) {
    this.exchanges =
        Counter.builder("converge.antientropy.exchanges")
            .description("Digest messages answered (one per tree node compared)")
            .register(registry);
    for (Cause cause : Cause.values()) {
      divergent.put(
          cause,
          Counter.builder("converge.antientropy.divergent.documents")
              .description("Documents found divergent by a digest exchange or a log check")
              .tag("cause", cause.tag())
              .register(registry));
    }
    for (Direction direction : Direction.values()) {
      repaired.put(
          direction,
          Counter.builder("converge.antientropy.repaired.documents")
              .description("Documents repaired after a divergence, by the way the state travelled")
              .tag("direction", direction.tag())
              .register(registry));
    }
    this.canaryLag =
        Timer.builder("converge.canary.lag")
            .description("Time from a canary write on one replica until another replica sees it")
            .publishPercentileHistogram()
            .register(registry);
    this.canaryFailures =
        Counter.builder("converge.canary.failures")
            .description("Canary rounds whose write was not seen by the other replica in time")
            .register(registry);
  }

  /** Counts one digest message answered. */
  public void exchanged() {
    exchanges.increment();
  }

  /** Counts {@code documents} found divergent for {@code cause}. */
  public void divergent(Cause cause, int documents) {
    divergent.get(cause).increment(documents);
  }

  /** Counts {@code documents} repaired in {@code direction}. */
  public void repaired(Direction direction, int documents) {
    repaired.get(direction).increment(documents);
  }

  /** Records one canary round's write-to-seen time. */
  public void canaryLag(java.time.Duration lag) {
    canaryLag.record(lag);
  }

  /** Counts one canary round that did not converge in time. */
  public void canaryFailed() {
    canaryFailures.increment();
  }
}
