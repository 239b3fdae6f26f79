package dev.converge.server.sync;

import dev.converge.core.server.PushOutcome;
import dev.converge.server.changeset.CommittedPushes;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The post-commit effects of every push, REST or WebSocket alike: it is counted, and this node's
 * sessions of each changed space wake to read the log (other nodes wake on the commit's
 * notification). Thread-safe; does not block.
 */
@ApplicationScoped
class PushEffects implements CommittedPushes {

  private final SyncMetrics metrics;
  private final SessionRegistry registry;

  PushEffects(SyncMetrics metrics, SessionRegistry registry) {
    this.metrics = metrics;
    this.registry = registry;
  }

  @Override
  public void committed(PushOutcome outcome, Duration latency) {
    metrics.pushed(outcome.results().size(), outcome.newConflicts(), latency);
    outcome.changedSpaces().forEach(registry::wake);
  }
}
