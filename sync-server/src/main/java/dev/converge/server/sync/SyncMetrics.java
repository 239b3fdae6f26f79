package dev.converge.server.sync;

import dev.converge.core.protocol.ErrorCode;
import dev.converge.server.changeset.LoggedChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's sync metrics, exported at {@code /q/metrics}: connected sessions, changesets
 * applied, apply latency, fan-out delay (commit to frame handed to the socket), retained log size,
 * conflicts created, errors by code, counter compactions. Thread-safe.
 */
@Startup
@ApplicationScoped
public class SyncMetrics {

  private final MeterRegistry registry;
  private final Counter applied;
  private final Counter conflicts;
  private final Timer applyLatency;
  private final Timer fanOutDelay;
  private final Counter compactions;
  private final Counter compactedEntries;
  private final Counter expiredStablePoints;
  private final AtomicLong logSize = new AtomicLong();
  private final AtomicLong outboundBytes = new AtomicLong();
  private final AtomicLong outboundPeak = new AtomicLong();

  SyncMetrics(MeterRegistry registry, SessionRegistry sessions) {
    this.registry = registry;
    this.applied =
        Counter.builder("converge.changesets.applied")
            .description("Changesets applied")
            .register(registry);
    this.conflicts =
        Counter.builder("converge.conflicts.created")
            .description("Register values left concurrent by an applied changeset")
            .register(registry);
    this.applyLatency =
        Timer.builder("converge.push.apply")
            .description("Time from receiving a push to its commit")
            .publishPercentileHistogram()
            .register(registry);
    this.fanOutDelay =
        Timer.builder("converge.fanout.delay")
            .description(
                "Time from commit to the change's frame being handed to a session's socket")
            .publishPercentileHistogram()
            .register(registry);
    this.compactions =
        Counter.builder("converge.counter.compactions")
            .description(
                "Documents whose counters were compacted (each logged one compaction entry)")
            .register(registry);
    this.compactedEntries =
        Counter.builder("converge.counter.entries.removed")
            .description("Counter entries removed by coalescing stable increments into runs")
            .register(registry);
    this.expiredStablePoints =
        Counter.builder("converge.stable.points.expired")
            .description(
                "Replicas that left a space's live set because the retention horizon passed their"
                    + " stable point")
            .register(registry);
    // Registered before the first one happens, so the alert on internal errors names a series
    // that exists from start-up.
    registry.counter("converge.errors", "code", ErrorCode.INTERNAL.wire());
    Gauge.builder("converge.sessions", sessions, SessionRegistry::size)
        .description("Open WebSocket sync sessions on this node")
        .strongReference(true)
        .register(registry);
    registry.gauge("converge.log.size", logSize);
    Gauge.builder("converge.sessions.outbound.bytes", outboundBytes, AtomicLong::get)
        .description("Bytes queued for all sessions' sockets and not yet written")
        .register(registry);
    Gauge.builder("converge.sessions.outbound.peak.bytes", outboundPeak, AtomicLong::get)
        .description(
            "Most bytes one session has held queued for its socket since the server started")
        .register(registry);
  }

  /** Records a committed push. */
  public void pushed(int changesets, int newConflicts, Duration latency) {
    applied.increment(changesets);
    if (newConflicts > 0) {
      conflicts.increment(newConflicts);
    }
    applyLatency.record(latency);
  }

  /** Records changes handed to a session's socket. */
  public void fannedOut(List<LoggedChange> items) {
    long now = System.currentTimeMillis();
    for (LoggedChange item : items) {
      fanOutDelay.record(Duration.ofMillis(Math.max(0, now - item.committedAtMillis())));
    }
  }

  /** Counts an error sent to a client. */
  public void error(String code) {
    registry.counter("converge.errors", "code", code).increment();
  }

  /** Counts one error sent to a client, by its code. */
  public void error(ErrorCode code) {
    error(code.wire());
  }

  /** Records a frame queued for a session's socket, which now holds {@code sessionBytes}. */
  public void outboundQueued(long bytes, long sessionBytes) {
    outboundBytes.addAndGet(bytes);
    outboundPeak.accumulateAndGet(sessionBytes, Math::max);
  }

  /** Records a frame written by (or dropped with) a session's socket. */
  public void outboundWritten(long bytes) {
    outboundBytes.addAndGet(-bytes);
  }

  /** Counts a session closed by the server, by close code. */
  public void closed(int code) {
    registry.counter("converge.sessions.closed", "code", Integer.toString(code)).increment();
  }

  /** Records a pass of counter compaction over one space. */
  public void counterCompaction(int documents, long entriesRemoved, int expired) {
    compactions.increment(documents);
    compactedEntries.increment(entriesRemoved);
    expiredStablePoints.increment(expired);
  }

  /** Sets the number of changes retained in the log. */
  public void logSize(long size) {
    logSize.set(size);
  }
}
