package dev.converge.server.sync;

import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.changeset.CounterCompactor;
import dev.converge.server.changeset.LogCompaction;
import dev.converge.server.document.CheckpointVerifier;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Periodic work of a node: wakes sessions behind their space's head (in case a notification was
 * missed), compacts the log past the retention horizon, compacts counters (bounded counters: see
 * {@link CounterCompactor}), and refreshes the log-size gauge.
 *
 * <p>The timers live here; the compactions themselves are {@link LogCompaction}'s and {@link
 * CounterCompactor}'s. Every node runs the counter timer: passes over one space serialize on its
 * lock, and a pass that finds nothing due costs one query.
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
  private final CounterCompactor counters;
  private final boolean counterCompactionEnabled;
  private final Duration counterCompactionInterval;
  private long pollTimer = -1;
  private long compactionTimer = -1;
  private long counterTimer = -1;
  private long scrubTimer = -1;
  private final AtomicBoolean scrubRunning = new AtomicBoolean();
  private final CheckpointVerifier checkpoints;
  private final Duration scrubInterval;
  private final int scrubBatch;

  /** Documents checkpointed before each log compaction, at most. */
  static final int CHECKPOINTS_PER_COMPACTION = 10_000;

  private final AtomicBoolean counterPassRunning = new AtomicBoolean();
  private volatile boolean stopping;

  /** The counter pass in flight, if any: shutdown waits for it rather than cut its transaction. */
  private volatile CompletableFuture<Void> counterPass = CompletableFuture.completedFuture(null);

  Maintenance(
      Vertx vertx,
      LogCompaction compaction,
      SessionRegistry registry,
      ChangeLogReader log,
      SyncSettings settings,
      SyncMetrics metrics,
      @ConfigProperty(name = "converge.log.retention", defaultValue = "P30D") Duration retention,
      @ConfigProperty(name = "converge.log.compaction-interval", defaultValue = "PT1M")
          Duration compactionInterval,
      CounterCompactor counters,
      @ConfigProperty(name = "converge.counter-compaction.enabled", defaultValue = "true")
          boolean counterCompactionEnabled,
      @ConfigProperty(name = "converge.counter-compaction.interval", defaultValue = "PT5S")
          Duration counterCompactionInterval,
      CheckpointVerifier checkpoints,
      @ConfigProperty(name = "converge.scrub.interval", defaultValue = "PT1M")
          Duration scrubInterval,
      @ConfigProperty(name = "converge.scrub.batch", defaultValue = "500") int scrubBatch) {
    this.checkpoints = checkpoints;
    this.scrubInterval = scrubInterval;
    this.scrubBatch = Math.max(1, scrubBatch);
    this.vertx = vertx;
    this.compaction = compaction;
    this.registry = registry;
    this.log = log;
    this.settings = settings;
    this.metrics = metrics;
    this.retention = retention;
    this.compactionInterval = compactionInterval;
    this.counters = counters;
    this.counterCompactionEnabled = counterCompactionEnabled;
    this.counterCompactionInterval = counterCompactionInterval;
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
    scrubTimer = vertx.setPeriodic(scrubInterval.toMillis(), id -> onSafeContext(this::scrubPass));
    if (counterCompactionEnabled) {
      counterTimer =
          vertx.setPeriodic(
              counterCompactionInterval.toMillis(), id -> onSafeContext(this::counterPass));
    }
  }

  /** One timer tick of counter compaction; a tick still running makes the next one skip. */
  private void counterPass() {
    if (stopping || !counterPassRunning.compareAndSet(false, true)) {
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    counterPass = done;
    compactCounters()
        .subscribe()
        .with(
            passes -> {
              counterPassRunning.set(false);
              done.complete(null);
            },
            e -> {
              counterPassRunning.set(false);
              done.complete(null);
              if (!stopping) {
                LOG.warnf("Counter compaction failed: %s", e.getMessage());
              }
            });
  }

  void stop(@Observes ShutdownEvent event) {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(compactionTimer);
    vertx.cancelTimer(counterTimer);
    vertx.cancelTimer(scrubTimer);
    // A pass holds a transaction: let it commit (or fail) before the pool closes under it.
    try {
      counterPass.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.debugf("Counter compaction still running at shutdown: %s", e);
    }
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
   * Compacts the counters of the spaces with documents due (bounded per call: {@code
   * converge.counter-compaction.spaces-per-tick} spaces, {@code documents-per-space} documents
   * each), logs the compaction deltas and wakes this node's followers of each changed space (other
   * nodes wake on the commit's notification).
   *
   * @return what each space's pass did
   */
  public Uni<List<CounterCompactor.SpaceCompaction>> compactCounters() {
    return counters.tick().invoke(passes -> passes.forEach(this::compacted));
  }

  /** Runs one pass of counter compaction over {@code space} (tests, operators). */
  public Uni<CounterCompactor.SpaceCompaction> compactCounters(String space) {
    return counters.compact(space).invoke(this::compacted);
  }

  private void compacted(CounterCompactor.SpaceCompaction pass) {
    metrics.counterCompaction(pass.compacted(), pass.entriesRemoved(), pass.expired());
    if (pass.compacted() > 0) {
      registry.wake(pass.space());
    }
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
    // Checkpoints first: the compaction keeps every entry a document's rebuild still needs.
    return checkpoints
        .checkpointDue(space, CHECKPOINTS_PER_COMPACTION)
        .chain(() -> compaction.compact(space, horizonAge));
  }

  /**
   * Runs one scrub pass: verifies the next {@code converge.scrub.batch} stored documents against
   * their checkpoint and log, and rebuilds the wrong ones.
   *
   * @return the number of documents rebuilt
   */
  public Uni<Integer> scrub() {
    return checkpoints.scrub(scrubBatch);
  }

  /** One timer tick of the scrub; a tick still running makes the next one skip. */
  private void scrubPass() {
    if (stopping || !scrubRunning.compareAndSet(false, true)) {
      return;
    }
    scrub()
        .subscribe()
        .with(
            n -> scrubRunning.set(false),
            e -> {
              scrubRunning.set(false);
              if (!stopping) {
                LOG.warnf("Scrub failed: %s", e.getMessage());
              }
            });
  }
}
