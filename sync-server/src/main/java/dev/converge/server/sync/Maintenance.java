package dev.converge.server.sync;

import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.changeset.LogCompaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Periodic work of a node: wakes sessions behind their space's head (in case a notification was
 * missed), compacts the log past the retention horizon, and refreshes the log-size gauge.
 *
 * <p>The timers live here; the compaction itself is {@link LogCompaction}'s.
 */
@ApplicationScoped
public class Maintenance {

  private static final Logger LOG = Logger.getLogger(Maintenance.class);

  private final Vertx vertx;
  private final LogCompaction compaction;
  private final SessionRegistry registry;
  private final ChangeLogReader log;
  private final SyncSettings settings;
  private final SyncMetrics metrics;
  private final Duration retention;
  private final Duration compactionInterval;
  private long pollTimer = -1;
  private long compactionTimer = -1;

  Maintenance(
      Vertx vertx,
      LogCompaction compaction,
      SessionRegistry registry,
      ChangeLogReader log,
      SyncSettings settings,
      SyncMetrics metrics,
      @ConfigProperty(name = "converge.log.retention", defaultValue = "P30D") Duration retention,
      @ConfigProperty(name = "converge.log.compaction-interval", defaultValue = "PT1M")
          Duration compactionInterval) {
    this.vertx = vertx;
    this.compaction = compaction;
    this.registry = registry;
    this.log = log;
    this.settings = settings;
    this.metrics = metrics;
    this.retention = retention;
    this.compactionInterval = compactionInterval;
  }

  void start(@Observes StartupEvent event) {
    pollTimer =
        vertx.setPeriodic(settings.pollInterval().toMillis(), id -> onSafeContext(this::poll));
    compactionTimer =
        vertx.setPeriodic(
            compactionInterval.toMillis(),
            id ->
                onSafeContext(
                    () ->
                        compact()
                            .subscribe()
                            .with(
                                n -> {},
                                e -> LOG.warnf("Log compaction failed: %s", e.getMessage()))));
  }

  void stop(@Observes ShutdownEvent event) {
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(compactionTimer);
  }

  /**
   * Hibernate Reactive runs only on a duplicated context marked safe; timers start on a root one.
   */
  void onSafeContext(Runnable task) {
    Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    VertxContextSafetyToggle.setContextSafe(context, true);
    context.runOnContext(v -> task.run());
  }

  private void poll() {
    var spaces = registry.spaces();
    log.heads(spaces)
        .subscribe()
        .with(
            heads -> {
              for (ChangeLogReader.SpaceHead head : heads) {
                boolean behind =
                    registry.sessionsOf(head.space()).stream()
                        .anyMatch(
                            session -> {
                              long cursor = session.cursor(head.space());
                              return cursor >= 0 && cursor < head.head();
                            });
                if (behind) {
                  registry.wake(head.space());
                }
              }
            },
            e -> LOG.debugf("Head poll failed: %s", e.getMessage()));
    retainedChanges().subscribe().with(size -> metrics.logSize(size), e -> {});
  }

  /** Returns how many changes the log of all spaces holds. */
  Uni<Long> retainedChanges() {
    return compaction.retainedChanges();
  }

  /**
   * Compacts every space's log past the configured retention horizon.
   *
   * @return the number of changes deleted
   */
  public Uni<Integer> compact() {
    return compact(null, retention);
  }

  /**
   * Compacts the log of {@code space} (every space when null) past {@code horizonAge}.
   *
   * @return the number of changes deleted
   */
  public Uni<Integer> compact(String space, Duration horizonAge) {
    return compaction.compact(space, horizonAge);
  }
}
