package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.ChangeSource;
import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.SyncException;
import dev.converge.sdk.SyncStatus;
import dev.converge.sdk.internal.store.PushLimits;
import dev.converge.sdk.internal.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicator's protocol logic as a state machine, after Automerge's {@code sync.rs}: the
 * per-session state is held here, and {@link #step} takes one {@link Event} and appends the {@link
 * Action}s it calls for. No threads, sockets, sleeps or clocks: time comes with each step, timers
 * are actions, and the driver feeds their firing back as events. Store reads and writes go through
 * the {@link Store} interface within the step; the listener actions a store write causes are
 * emitted right after it, so a driver that runs each step under the store's monitor keeps events in
 * commit order.
 *
 * <p>One session at a time: {@link Action.Open} starts one, {@link Action.Close} ends it on
 * purpose, {@link Event.Closed} or {@link Event.Failed} report its end. Reconnects wait a jittered
 * exponential backoff that only progress resets (an ack that moves the outbox, or a session that
 * stays up for {@link #STABLE_SESSION}), so a failure right after each welcome never loops.
 *
 * <p>Not thread-safe: one driver thread steps it.
 */
public final class SyncMachine {

  private static final Logger LOG = LoggerFactory.getLogger(SyncMachine.class);

  /**
   * How long a session must stay up without a failure before the backoff is forgotten; a welcome
   * alone proves nothing (a session that fails right after it would otherwise reconnect in a loop).
   */
  public static final Duration STABLE_SESSION = Duration.ofSeconds(10);

  /**
   * How long a new session may take from {@link Action.Open} to the server's {@code welcome}
   * (connect, upgrade, hello) before it is abandoned and retried with backoff.
   */
  public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  /** The status error of a session abandoned for want of a welcome. */
  public static final String HANDSHAKE_TIMED_OUT = "handshake_timeout";

  /**
   * The longest a stable point that rose while nothing was pushed waits before it is reported in a
   * {@code sync}; also the least time between two such reports (see {@link StableReports}).
   */
  public static final Duration STABLE_REPORT_DELAY = Duration.ofSeconds(5);

  /** {@link SyncStatus#lastError()} when the app's token supplier failed (no protocol code). */
  public static final String TOKEN_SUPPLIER_FAILED = "token_supplier_failed";

  /**
   * What the machine is configured with.
   *
   * @param localOnly whether there is no server to sync with
   * @param spaces the spaces to subscribe to
   * @param batchSize the most changesets per push
   * @param minBackoff the first retry delay
   * @param maxBackoff the greatest retry delay
   * @param digestInterval the time between two digest exchanges (anti-entropy) of a session
   */
  public record Settings(
      boolean localOnly,
      List<String> spaces,
      int batchSize,
      Duration minBackoff,
      Duration maxBackoff,
      Duration digestInterval) {
    /** Creates settings; the list is copied. */
    public Settings {
      spaces = List.copyOf(spaces);
    }

    /** Creates settings with the default digest interval. */
    public Settings(
        boolean localOnly,
        List<String> spaces,
        int batchSize,
        Duration minBackoff,
        Duration maxBackoff) {
      this(localOnly, spaces, batchSize, minBackoff, maxBackoff, AntiEntropy.DEFAULT_INTERVAL);
    }
  }

  final Store store;
  final Settings settings;
  final Effects effects = new Effects();
  final Backoff backoff;
  final PushWindow push;
  final SyncRequests waiters = new SyncRequests(effects);
  final SpaceLag lag;
  final StableReports stable;
  private final ServerMessages messages;
  final Rereads rereads = new Rereads(this);
  final AntiEntropy antiEntropy = new AntiEntropy(this);
  final ForbiddenPushes forbiddenPushes = new ForbiddenPushes(this);

  /** The spaces followed now: the configured ones, then those the app subscribed to at runtime. */
  final List<String> spaces;

  final Subscriptions subscriptions = new Subscriptions(this);

  final Link link = new Link(this);
  final StatusBoard board;
  final TokenRefresh refresh = new TokenRefresh(effects);

  /**
   * Creates a machine over {@code store} at time {@code now}; {@code random} draws the backoff's
   * jitter (seed it for a reproducible run).
   */
  public SyncMachine(
      Store store, PushLimits limits, Settings settings, Random random, Instant now) {
    this.store = store;
    this.settings = settings;
    this.spaces = new ArrayList<>(settings.spaces());
    this.backoff = new Backoff(settings.minBackoff(), settings.maxBackoff(), random);
    this.lag = new SpaceLag(store);
    this.stable = new StableReports(store, spaces, effects);
    this.push = new PushWindow(store, limits, settings.batchSize(), effects, new PushHost());
    this.messages = new ServerMessages(this);
    effects.begin(now, new ArrayList<>());
    this.board =
        new StatusBoard(
            store,
            lag,
            spaces,
            effects,
            settings.localOnly() ? ConnectionState.LOCAL_ONLY : ConnectionState.DISCONNECTED);
    // Nothing connects until the app calls connect() (Event.Start).
    link.paused = !settings.localOnly();
  }

  /** Returns the status as of the last step. */
  public SyncStatus status() {
    return board.current();
  }

  /**
   * Takes one event at time {@code now} and appends the actions it calls for to {@code out}, in the
   * order they must run. If the step throws, {@code out} holds the actions decided before the
   * failure; the driver runs them and then steps {@link Event.StepFailed}.
   */
  public void step(Instant now, Event event, List<Action> out) {
    effects.begin(now, out);
    if (event instanceof Event.Start) {
      onResume();
    } else if (event instanceof Event.Disconnect) {
      onPause(ConnectionState.DISCONNECTED);
    } else if (event instanceof Event.Subscribe subscribe) {
      subscriptions.subscribe(subscribe.space());
    } else if (event instanceof Event.Unsubscribe unsubscribe) {
      subscriptions.unsubscribe(unsubscribe.spaces());
    } else if (event instanceof Event.TokenSupplied supplied) {
      link.onToken(supplied);
    } else if (event instanceof Event.TokenUnavailable unavailable) {
      link.onNoToken(unavailable);
    } else if (event instanceof Event.Connected) {
      link.onConnected();
    } else if (event instanceof Event.Received received) {
      messages.onMessage(received.message());
    } else if (event instanceof Event.Malformed malformed) {
      link.onMalformed(malformed.detail());
    } else if (event instanceof Event.Closed end) {
      link.onSessionEnded(end.code(), end.reason(), 0);
    } else if (event instanceof Event.Failed failure) {
      link.onSessionEnded(0, failure.detail(), failure.httpStatus());
    } else if (event instanceof Event.TimerFired fired) {
      onTimer(fired.timer());
    } else if (event instanceof Event.LocalWrite) {
      push.pushMore();
      board.publish();
    } else if (event instanceof Event.SyncRequested request) {
      onSyncRequested(request);
    } else if (event instanceof Event.Pause) {
      onPause(ConnectionState.PAUSED);
    } else if (event instanceof Event.Resume) {
      onResume();
    } else if (event instanceof Event.StatusRefresh) {
      board.publish();
    } else if (event instanceof Event.Shutdown) {
      onShutdown();
    } else if (event instanceof Event.StepFailed failed) {
      onStepFailed(failed.detail());
    }
  }

  private void onTimer(Timer timer) {
    if (!effects.fired(timer)) {
      return;
    }
    if (timer instanceof Timer.Reconnect) {
      link.connectNow();
    } else if (timer instanceof Timer.Handshake) {
      link.onHandshakeTimeout();
    } else if (timer instanceof Timer.StableSession) {
      if (link.welcomed() && !link.failedThisSession) {
        backoff.reset();
      }
    } else if (timer instanceof Timer.TokenRefresh) {
      if (link.welcomed()) {
        refresh.due();
      }
    } else if (timer instanceof Timer.PushRetry) {
      // nextRetryAt stays until the outcome is known: "retried at", not "nothing pending".
      push.release();
      waiters.askAgain();
      push.pushMore();
      board.publish();
      checkWaiters();
    } else if (timer instanceof Timer.StableReport) {
      if (link.welcomed()) {
        List<MessageParts.SpaceStable> points = stable.take(board.forbidden);
        if (!points.isEmpty()) {
          effects.emit(new Action.Send(new Message.Sync(waiters.newRef(), points)));
        }
      }
    } else if (timer instanceof Timer.Digest) {
      antiEntropy.due();
    } else if (timer instanceof Timer.SyncTimeout timeout) {
      long millis = waiters.timedOut(timeout.waiter());
      if (millis >= 0) {
        effects.emit(
            new Action.SyncFailed(
                timeout.waiter(),
                SyncException.Code.TIMEOUT,
                "not synced within "
                    + millis
                    + " ms (state "
                    + board.state
                    + ", "
                    + store.pendingCount()
                    + " changes pending)"));
      }
    }
  }

  // ---- app requests -------------------------------------------------------------------------

  private void onSyncRequested(Event.SyncRequested request) {
    if (link.closed) {
      effects.emit(
          new Action.SyncFailed(request.waiter(), SyncException.Code.CLOSED, "client is closed"));
      return;
    }
    waiters.add(
        request.waiter(), request.targetSeq(), board.rejections, request.timeout().toMillis());
    if (link.paused) {
      // A paused client does not sync: the caller waits for resume() or the timeout.
      LOG.debug("syncNow while paused: waiting for resume");
    }
    push.pushMore();
    checkWaiters();
  }

  private void onPause(ConnectionState shown) {
    if (settings.localOnly()) {
      return;
    }
    if (link.paused) {
      board.state = shown;
      board.publish();
      return;
    }
    link.paused = true;
    effects.cancel(new Timer.Reconnect());
    board.nextRetryAt = null;
    link.endSession(CloseCode.NORMAL, "paused");
    board.state = shown;
    board.publish();
  }

  private void onResume() {
    if (!link.paused) {
      return;
    }
    link.paused = false;
    board.state = ConnectionState.OFFLINE;
    backoff.reset();
    link.connectNow();
    // The app sees at once that it is no longer paused, not only when the connection settles.
    board.publish();
  }

  private void onShutdown() {
    link.closed = true;
    effects.cancel(new Timer.Reconnect());
    link.endSession(CloseCode.NORMAL, "client closed");
    board.state = ConnectionState.CLOSED;
    waiters.failAll(SyncException.Code.CLOSED, "client closed");
    board.settleQuietly();
  }

  private void onStepFailed(String detail) {
    LOG.error("sync step failed ({}); reconnecting", detail);
    board.lastError = ErrorCode.INTERNAL.wire();
    if (link.phase != Link.Phase.IDLE) {
      link.endSession(CloseCode.NORMAL, "internal error");
      link.scheduleReconnect();
    }
    try {
      board.publish();
    } catch (RuntimeException e) {
      LOG.warn("status update failed", e);
    }
  }

  // ---- status and waiters -------------------------------------------------------------------

  /** Local changes were rejected (committed in this step): count them and tell the app. */
  void rejected(List<RejectedChange> rejected) {
    board.rejections += rejected.size();
    effects.emit(new Action.Rejected(rejected));
    // The store dropped the values of a dot_forged change at once (no server entry will): the
    // documents they were in changed.
    List<DocumentKey> dropped =
        rejected.stream()
            .filter(r -> ErrorCode.DOT_FORGED.wire().equals(r.code()))
            .map(RejectedChange::key)
            .distinct()
            .collect(
                Collectors.collectingAndThen(Collectors.toList(), Collections::unmodifiableList));
    if (!dropped.isEmpty()) {
      effects.emit(new Action.DocumentsChanged(dropped, ChangeSource.REMOTE));
    }
    // The server consumed them before this ack, so a fetch sent now reads their context-only
    // entries.
    rereads.fetchMore();
  }

  void checkWaiters() {
    if (!link.welcomed()) {
      return;
    }
    waiters.advance(
        new SyncRequests.Progress() {
          @Override
          public long firstPendingSeq() {
            return store.firstPendingSeq();
          }

          @Override
          public boolean reached(String space, long head) {
            return board.forbidden.contains(space)
                || !spaces.contains(space)
                || !store.snapshotInProgress(space) && store.cursor(space) >= head;
          }
        },
        board.rejections);
  }

  /** The machine as its push window sees it. */
  private final class PushHost implements PushWindow.Host {
    @Override
    public boolean sessionReady() {
      return link.welcomed();
    }

    @Override
    public void rejected(List<RejectedChange> rejected) {
      SyncMachine.this.rejected(rejected);
    }

    @Override
    public List<MessageParts.SpaceStable> stableToReport() {
      return stable.take(board.forbidden);
    }

    @Override
    public void stableNotDelivered(List<MessageParts.SpaceStable> points) {
      stable.notDelivered(points);
    }
  }
}
