package dev.converge.sdk.internal.engine;

import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.ChangeSource;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.SyncException;
import dev.converge.sdk.SyncStatus;
import dev.converge.sdk.internal.net.Transport;
import dev.converge.sdk.internal.store.PushLimits;
import dev.converge.sdk.internal.store.Store;
import dev.converge.sdk.internal.sync.Action;
import dev.converge.sdk.internal.sync.Event;
import dev.converge.sdk.internal.sync.SyncMachine;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicator's I/O shell around the pure {@link SyncMachine}: one thread ("converge-sync") on
 * which every public call, transport callback and timer becomes an {@link Event}; the machine's
 * {@link Action}s are carried out on the transport ({@link SessionDriver}), the timers ({@link
 * Timers}), the token supplier, the {@code syncNow} futures and the listeners.
 *
 * <p>Each step runs under the {@link CommitOrder} lock together with the listener dispatch of the
 * commits it made; every other action runs after the lock is released (see {@link CommitOrder} for
 * the whole discipline).
 *
 * <p>Thread-safe: public methods may be called from any thread.
 */
public final class SyncEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

  /** Receives what the engine commits; called under the commit lock, must not block. */
  public interface Events {
    /** Documents changed by remote changes, snapshots or a purge. */
    void documentsChanged(List<DocumentKey> keys, ChangeSource source);

    /** Local changes the server refused, or dropped by a revocation. */
    void rejected(List<RejectedChange> rejected);

    /** The status may have changed. */
    void statusChanged(SyncStatus status);
  }

  private final Store store;
  private final EngineConfig config;
  private final Events events;
  private final CommitOrder commits;
  private final ScheduledExecutorService executor;

  /** The executor's one thread, once it has started. */
  private volatile Thread engineThread;

  private final Transport transport;
  private final SessionDriver session;
  private final Timers timers;
  private final SyncMachine machine;
  private final SyncFutures futures = new SyncFutures();

  /**
   * The status the engine thread last computed, with the number of local commits made before it
   * read the store. A write is committed on the caller's thread and counted by the engine thread a
   * moment later; {@link #status()} adds the commits made since, so an app reading the status right
   * after a write sees it pending.
   */
  private volatile Published published;

  /** Local commits so far, counted on the committing thread. */
  private final AtomicLong localCommits = new AtomicLong();

  private final AtomicBoolean localWriteQueued = new AtomicBoolean();

  private record Published(SyncStatus status, long commitsCounted) {}

  /** Creates an engine; call {@link #start()} to begin syncing. */
  public SyncEngine(
      Store store,
      Transport transport,
      ProtocolCodec codec,
      EngineConfig config,
      Events events,
      CommitOrder commits) {
    this.store = store;
    this.config = config;
    this.events = events;
    this.commits = commits;
    this.transport = transport;
    String name = config.replicaName() == null ? "" : "-" + config.replicaName();
    ScheduledThreadPoolExecutor pool =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "converge-sync" + name);
              thread.setDaemon(true);
              engineThread = thread;
              return thread;
            });
    pool.setRemoveOnCancelPolicy(true);
    this.executor = pool;
    this.timers = new Timers(executor, timer -> deliver(new Event.TimerFired(timer)));
    this.session = new SessionDriver(transport, codec, config.serverUri(), this::onSessionEvent);
    this.machine =
        new SyncMachine(
            store,
            new PushLimits(codec),
            new SyncMachine.Settings(
                config.serverUri() == null,
                config.spaces(),
                config.batchSize(),
                config.minBackoff(),
                config.maxBackoff(),
                config.digestInterval()),
            new Random(),
            config.clock().instant());
    this.published = new Published(machine.status(), 0);
  }

  // ---- public API (any thread) ----------------------------------------------------------------

  /**
   * Starts syncing (connects unless local-only), also after {@link #disconnect()}; returns once the
   * engine has taken the start, so a {@link #status()} read next no longer says disconnected.
   */
  public void connect() {
    runAndWait(() -> deliver(new Event.Start()));
  }

  /** Stops syncing until {@link #connect()}; returns once the session is ended. */
  public void disconnect() {
    runAndWait(() -> deliver(new Event.Disconnect()));
  }

  /** Follows {@code space} from now on (asks the server at once when online). */
  public void subscribe(String space) {
    run(() -> deliver(new Event.Subscribe(space)));
  }

  /**
   * Stops following {@code spaces} and purges their local data; returns once the purge has
   * committed (or after 5 seconds: the caller checks).
   */
  public void unsubscribe(List<String> spaces) {
    runAndWait(() -> deliver(new Event.Unsubscribe(spaces)));
  }

  /** Returns the latest status; never blocks. */
  public SyncStatus status() {
    Published now = published;
    long uncounted = localCommits.get() - now.commitsCounted();
    if (uncounted <= 0) {
      return now.status();
    }
    SyncStatus s = now.status();
    return new SyncStatus(
        s.connection(),
        s.pendingChanges() + uncounted,
        s.rejectedChanges(),
        s.lastAckAt(),
        s.spaces(),
        s.lastError(),
        s.nextRetryAt(),
        s.repairedDocuments(),
        s.foreignEntriesDropped());
  }

  /**
   * Counts one local write that added an outbox row, under the commit lock and right after its
   * commit: the status shows it pending before the engine thread has counted it from the store.
   */
  public void countLocalCommit() {
    localCommits.incrementAndGet();
  }

  /** Tells the engine a local change was committed: push it if online, refresh the status. */
  public void localChangeCommitted() {
    // One queued step answers every write committed before it runs: a burst of writes costs the
    // engine thread one step (and the writers one wait for the lock), not one per write. The flag
    // is cleared before the step reads the store, so a write committed after that queues another.
    if (localWriteQueued.compareAndSet(false, true)) {
      boolean queued =
          run(
              () -> {
                localWriteQueued.set(false);
                deliver(new Event.LocalWrite());
              });
      if (!queued) {
        localWriteQueued.set(false);
      }
    }
  }

  /** Recomputes the status (for example after a rejected change was dismissed). */
  public void refreshStatus() {
    run(() -> deliver(new Event.StatusRefresh()));
  }

  /** Disconnects and stays offline until {@link #resume()}; returns once the engine is paused. */
  public void pause() {
    runAndWait(() -> deliver(new Event.Pause()));
  }

  /** Ends a {@link #pause()}: starts connecting at once; returns once the engine has resumed. */
  public void resume() {
    runAndWait(() -> deliver(new Event.Resume()));
  }

  /**
   * Returns a future completing when every change committed before this call is acknowledged (or
   * rejected) and every subscribed space has caught up with the server's heads as the server
   * reports them in answer to a {@code sync} sent after this call.
   */
  public CompletableFuture<Void> syncNow(Duration timeout) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    long target = store.replica().lastIssuedSeq();
    boolean queued =
        run(() -> deliver(new Event.SyncRequested(futures.add(future), target, timeout)));
    if (!queued) {
      future.completeExceptionally(
          new SyncException(SyncException.Code.CLOSED, "client is closed"));
    }
    return future;
  }

  /** Closes the session, fails pending {@link #syncNow} futures and stops the engine thread. */
  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            try {
              deliver(new Event.Shutdown());
            } finally {
              timers.cancelAll();
              done.complete(null);
            }
          });
      done.get(5, TimeUnit.SECONDS);
    } catch (RejectedExecutionException e) {
      return;
    } catch (Exception e) {
      LOG.warn("sync engine did not stop cleanly", e);
    } finally {
      executor.shutdown();
      transport.shutdown();
    }
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the engine thread ----------------------------------------------------------------------

  /** Queues {@code task} on the engine thread; returns false if the engine has stopped. */
  private boolean run(Runnable task) {
    try {
      executor.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      LOG.debug("engine closed; task dropped");
      return false;
    }
  }

  /** Runs {@code task} on the engine thread and waits for it (briefly), so the caller sees it. */
  private void runAndWait(Runnable task) {
    if (Thread.currentThread() == engineThread) {
      // Called from a callback on the engine thread: waiting for the queue would wait for itself.
      task.run();
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    run(
        () -> {
          try {
            task.run();
          } finally {
            done.complete(null);
          }
        });
    try {
      done.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debug("engine did not confirm in time", e);
    }
  }

  /** A callback of the current session, already on the engine thread. */
  private void onSessionEvent(Event event) {
    deliver(event);
  }

  /**
   * Steps the machine with {@code first} and carries out its actions; events the actions answer at
   * once (a token fetched) are stepped before any other. Engine thread only.
   */
  private void deliver(Event first) {
    Deque<Event> pending = new ArrayDeque<>();
    pending.add(first);
    while (!pending.isEmpty()) {
      Event event = pending.poll();
      long[] seen = {0};
      List<Action> actions = new ArrayList<>();
      RuntimeException[] failure = {null};
      commits.run(
          () -> {
            // Under the commit lock: exactly the writes counted so far are in what the step reads.
            seen[0] = localCommits.get();
            try {
              machine.step(config.clock().instant(), event, actions);
            } catch (RuntimeException e) {
              failure[0] = e;
            }
            // Under the lock: the events of this step's commits leave before any later commit's.
            for (Action action : actions) {
              if (action instanceof Action.DocumentsChanged changed) {
                events.documentsChanged(changed.keys(), changed.source());
              } else if (action instanceof Action.Rejected rejected) {
                events.rejected(rejected.rejected());
              }
            }
          });
      // Only a status the step recomputed (a new object) read the store under the lock; an older
      // one keeps the count of writes it was computed with.
      SyncStatus computed = machine.status();
      Published before = published;
      if (computed != before.status()) {
        published = new Published(computed, seen[0]);
      }
      try {
        for (Action action : actions) {
          perform(action, pending);
        }
      } catch (RuntimeException e) {
        failure[0] = failure[0] == null ? e : failure[0];
      }
      if (failure[0] != null) {
        LOG.error("sync engine step failed on {}; reconnecting", event, failure[0]);
        if (!(event instanceof Event.StepFailed)) {
          pending.add(new Event.StepFailed(failure[0].toString()));
        }
      }
    }
  }

  /** Carries out one action outside the lock; an event it answers at once goes to {@code next}. */
  private void perform(Action action, Deque<Event> next) {
    if (action instanceof Action.Send send) {
      session.send(send.message());
    } else if (action instanceof Action.SendEncoded send) {
      session.send(send.message());
    } else if (action instanceof Action.Schedule schedule) {
      timers.schedule(schedule.timer(), schedule.delayMillis());
    } else if (action instanceof Action.Cancel cancel) {
      timers.cancel(cancel.timer());
    } else if (action instanceof Action.FetchToken fetch) {
      next.add(fetchToken(fetch.use()));
    } else if (action instanceof Action.Open open) {
      session.open(open.token(), this::run);
    } else if (action instanceof Action.Close close) {
      session.close(close.code(), close.reason());
    } else if (action instanceof Action.StatusChanged changed) {
      events.statusChanged(changed.status());
    } else if (action instanceof Action.SyncDone done) {
      futures.complete(done.waiter());
    } else if (action instanceof Action.SyncFailed failed) {
      futures.fail(failed.waiter(), new SyncException(failed.code(), failed.message()));
    }
    // DocumentsChanged and Rejected were dispatched under the lock.
  }

  /** Calls the app's token supplier (outside the lock: it may block). */
  private Event fetchToken(Action.TokenUse use) {
    try {
      return new Event.TokenSupplied(use, config.tokens().token());
    } catch (Exception e) {
      return new Event.TokenUnavailable(use, e.toString());
    }
  }
}
