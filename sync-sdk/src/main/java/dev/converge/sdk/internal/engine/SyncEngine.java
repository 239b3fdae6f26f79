package dev.converge.sdk.internal.engine;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.ChangeSource;
import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.SyncException;
import dev.converge.sdk.SyncStatus;
import dev.converge.sdk.internal.net.Transport;
import dev.converge.sdk.internal.store.Purge;
import dev.converge.sdk.internal.store.PushLimits;
import dev.converge.sdk.internal.store.ReplicaInfo;
import dev.converge.sdk.internal.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicator: keeps one WebSocket session to the server, pushes the outbox in seq order,
 * applies incoming changes and snapshots, and reconnects with jittered exponential backoff.
 *
 * <p>Per-session state (session generation, push window, heads) lives on one thread, the engine's
 * "converge-sync" thread; every public method and every transport callback is handed to it, so the
 * protocol logic needs no locks. Store writes that produce listener events run under the store's
 * monitor, so events leave in commit order.
 */
public final class SyncEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

  /** Receives what the engine commits; called under the store's monitor, must not block. */
  public interface Events {
    /** Documents changed by remote changes, snapshots or a purge. */
    void documentsChanged(List<DocumentKey> keys, ChangeSource source);

    /** Local changes the server refused, or dropped by a revocation. */
    void rejected(List<RejectedChange> rejected);

    /** The status may have changed. */
    void statusChanged(SyncStatus status);
  }

  /**
   * How long a session must stay up without a failure before the backoff is forgotten; a welcome
   * alone proves nothing (a session that fails right after it would otherwise reconnect in a loop).
   */
  static final Duration STABLE_SESSION = Duration.ofSeconds(10);

  private final Store store;
  private final Transport transport;
  private final ProtocolCodec codec;
  private final EngineConfig config;
  private final Events events;
  private final ScheduledExecutorService executor;
  private final Backoff backoff;
  private final Random random = new Random();
  private final Pusher pusher;
  private final SyncWaiters waiters = new SyncWaiters();
  private final SpaceLag lag;
  private final TokenRefresh refresh;

  // ---- state owned by the engine thread -------------------------------------------------------
  private Transport.Session session;
  private int generation;
  private boolean welcomed;
  private boolean paused;
  private boolean closed;
  private int authFailures;
  private ScheduledFuture<?> reconnectTask;
  private ScheduledFuture<?> retryTask;
  private ScheduledFuture<?> stableTask;
  private Instant nextRetryAt;
  private boolean failedThisSession;
  private final Set<String> forbidden = new HashSet<>();
  private long rejections;
  private Instant lastAckAt;
  private String lastError;
  private ConnectionState state;

  private volatile SyncStatus status;

  /** Creates an engine; call {@link #start()} to begin syncing. */
  public SyncEngine(
      Store store, Transport transport, ProtocolCodec codec, EngineConfig config, Events events) {
    this.store = store;
    this.transport = transport;
    this.codec = codec;
    this.config = config;
    this.events = events;
    String name = config.replicaName() == null ? "" : "-" + config.replicaName();
    ScheduledThreadPoolExecutor pool =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "converge-sync" + name);
              thread.setDaemon(true);
              return thread;
            });
    pool.setRemoveOnCancelPolicy(true);
    this.executor = pool;
    this.backoff = new Backoff(config.minBackoff(), config.maxBackoff(), random);
    this.pusher = new Pusher(store, new PushLimits(codec), config.batchSize(), new PushHost());
    this.lag = new SpaceLag(store, config.clock());
    this.refresh = new TokenRefresh(executor, config.clock(), config.tokens(), new RefreshHost());
    this.state = config.serverUri() == null ? ConnectionState.LOCAL_ONLY : ConnectionState.OFFLINE;
    this.status = computeStatus();
  }

  // ---- public API (any thread) ----------------------------------------------------------------

  /** Starts syncing (connects unless local-only). */
  public void start() {
    run(this::connectNow);
  }

  /** Returns the latest status; never blocks. */
  public SyncStatus status() {
    return status;
  }

  /** Tells the engine a local change was committed: push it if online, refresh the status. */
  public void localChangeCommitted() {
    run(
        () -> {
          pusher.pushMore();
          publishStatus();
        });
  }

  /** Recomputes the status (for example after a rejected change was dismissed). */
  public void refreshStatus() {
    run(this::publishStatus);
  }

  /** Disconnects and stays offline until {@link #resume()}; returns once the engine is paused. */
  public void pause() {
    runAndWait(
        () -> {
          if (paused || config.serverUri() == null) {
            return;
          }
          paused = true;
          cancelTasks();
          nextRetryAt = null;
          endSession(CloseCode.NORMAL.code(), "paused");
          state = ConnectionState.PAUSED;
          publishStatus();
        });
  }

  /** Ends a {@link #pause()}: starts connecting at once; returns once the engine has resumed. */
  public void resume() {
    runAndWait(
        () -> {
          if (!paused) {
            return;
          }
          paused = false;
          state = ConnectionState.OFFLINE;
          backoff.reset();
          connectNow();
          // The app sees at once that it is no longer paused, not only when the connection settles.
          publishStatus();
        });
  }

  /**
   * Returns a future completing when every change committed before this call is acknowledged (or
   * rejected) and every subscribed space has caught up with the server's heads as the server
   * reports them in answer to a {@code sync} sent after this call.
   */
  public CompletableFuture<Void> syncNow(Duration timeout) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    long target = store.replica().lastIssuedSeq();
    run(
        () -> {
          if (closed) {
            future.completeExceptionally(
                new SyncException(SyncException.Code.CLOSED, "client is closed"));
            return;
          }
          SyncWaiters.Waiter waiter = waiters.add(target, rejections, future);
          ScheduledFuture<?> timer =
              executor.schedule(
                  () -> {
                    if (waiters.remove(waiter)) {
                      future.completeExceptionally(
                          new SyncException(
                              SyncException.Code.TIMEOUT,
                              "not synced within "
                                  + timeout.toMillis()
                                  + " ms (state "
                                  + state
                                  + ", "
                                  + store.pendingCount()
                                  + " changes pending)"));
                    }
                  },
                  timeout.toMillis(),
                  TimeUnit.MILLISECONDS);
          future.whenComplete((ok, error) -> timer.cancel(false));
          if (paused) {
            // A paused client does not sync; the caller asked to sync, so it waits for resume() or
            // the timeout.
            LOG.debug("syncNow while paused: waiting for resume");
          }
          pusher.pushMore();
          checkWaiters();
        });
    return future;
  }

  /** Closes the session, fails pending {@link #syncNow} futures and stops the engine thread. */
  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            closed = true;
            cancelTasks();
            endSession(CloseCode.NORMAL.code(), "client closed");
            state = ConnectionState.CLOSED;
            waiters.failAll(new SyncException(SyncException.Code.CLOSED, "client closed"));
            status = computeStatusQuietly();
            done.complete(null);
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

  // ---- connection lifecycle (engine thread) ---------------------------------------------------

  /**
   * Runs {@code task} on the engine thread and waits for it (briefly), so the caller sees its
   * effect.
   */
  private void runAndWait(Runnable task) {
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

  private void run(Runnable task) {
    try {
      executor.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.error("sync engine task failed; reconnecting", e);
              lastError = "internal";
              if (session != null) {
                endSession(CloseCode.NORMAL.code(), "internal error");
                scheduleReconnect();
              }
              publishStatusQuietly();
            }
          });
    } catch (RejectedExecutionException e) {
      LOG.debug("engine closed; task dropped");
    }
  }

  private void connectNow() {
    if (closed || paused || config.serverUri() == null || session != null) {
      return;
    }
    if (reconnectTask != null) {
      reconnectTask.cancel(false);
      reconnectTask = null;
    }
    String token;
    try {
      token = config.tokens().token();
      if (token == null || token.isBlank()) {
        throw new IllegalStateException("token supplier returned no token");
      }
    } catch (Exception e) {
      LOG.warn("token supplier failed: {}", e.toString());
      lastError = "token_supplier_failed";
      state = ConnectionState.AUTH_FAILED;
      publishStatus();
      scheduleReconnect();
      return;
    }
    int gen = ++generation;
    welcomed = false;
    LOG.debug("connecting to {} (attempt {})", config.serverUri(), backoff.attempts());
    session = transport.open(config.serverUri(), token, new SessionListener(gen));
  }

  private final class SessionListener implements Transport.Listener {
    private final int gen;

    SessionListener(int gen) {
      this.gen = gen;
    }

    @Override
    public void onOpen() {
      run(
          () -> {
            if (gen == generation) {
              sendHello();
            }
          });
    }

    @Override
    public void onText(String text) {
      run(
          () -> {
            if (gen == generation) {
              onMessage(text);
            }
          });
    }

    @Override
    public void onClosed(int code, String reason) {
      run(
          () -> {
            if (gen == generation) {
              onSessionEnded(code, reason, 0);
            }
          });
    }

    @Override
    public void onFailure(Throwable error, int httpStatus) {
      run(
          () -> {
            if (gen == generation) {
              LOG.debug("connection failed (http {}): {}", httpStatus, error.toString());
              onSessionEnded(0, String.valueOf(error.getMessage()), httpStatus);
            }
          });
    }
  }

  private void sendHello() {
    List<Message.Subscription> subscriptions = new ArrayList<>();
    for (String space : config.spaces()) {
      subscriptions.add(new Message.Subscription(space, store.cursor(space)));
    }
    // After a re-key, the retired id is named while rows carrying its dots are unacked (DESIGN §7).
    send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            store.replica().replicaId(),
            subscriptions,
            store.predecessor().orElse(null)));
  }

  private void send(Message message) {
    if (session != null && !session.send(codec.encode(message))) {
      LOG.debug("send of {} refused: session closing", message.type());
    }
  }

  private void onSessionEnded(int code, String reason, int httpStatus) {
    session = null;
    welcomed = false;
    pusher.sessionEnded(code);
    cancelSessionTasks();
    if (closed || paused) {
      return;
    }
    boolean authProblem = code == CloseCode.TOKEN.code() || httpStatus == 401 || httpStatus == 403;
    LOG.info("session ended (close {}, http {}): {}", code, httpStatus, reason);
    state = ConnectionState.OFFLINE;
    if (authProblem) {
      lastError = ErrorCode.TOKEN_INVALID.wire();
      authFailures++;
      if (authFailures == 1) {
        // First refusal: the token may just have expired; try a fresh one at once.
        publishStatus();
        connectNow();
        return;
      }
      state = ConnectionState.AUTH_FAILED;
    } else if (code == CloseCode.TOO_SLOW.code()) {
      lastError = "too_slow";
    } else if (code == CloseCode.PROTOCOL.code()) {
      lastError = "protocol";
    } else if (code == CloseCode.TOO_BIG.code()) {
      lastError = ErrorCode.TOO_LARGE.wire();
    }
    publishStatus();
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (closed || paused || reconnectTask != null && !reconnectTask.isDone()) {
      return;
    }
    long delay = backoff.nextDelayMillis();
    LOG.debug("reconnecting in {} ms", delay);
    nextRetryAt = config.clock().instant().plusMillis(delay);
    reconnectTask =
        executor.schedule(
            () -> {
              reconnectTask = null;
              try {
                connectNow();
              } catch (RuntimeException e) {
                LOG.error("reconnect failed", e);
                scheduleReconnect();
              }
            },
            delay,
            TimeUnit.MILLISECONDS);
  }

  /** Ends the current session on purpose; its late callbacks are ignored (generation bump). */
  private void endSession(int code, String reason) {
    generation++;
    if (session != null) {
      session.close(code, reason);
      session = null;
    }
    welcomed = false;
    pusher.sessionEnded(code);
    cancelSessionTasks();
  }

  /** Cancels what only the ended session needed: token refresh, push retry, stability timer. */
  private void cancelSessionTasks() {
    refresh.cancel();
    for (ScheduledFuture<?> task : new ScheduledFuture<?>[] {retryTask, stableTask}) {
      if (task != null) {
        task.cancel(false);
      }
    }
    retryTask = null;
    stableTask = null;
  }

  private void cancelTasks() {
    if (reconnectTask != null) {
      reconnectTask.cancel(false);
      reconnectTask = null;
    }
    cancelSessionTasks();
  }

  private void restartSession(String why) {
    LOG.info("restarting the session: {}", why);
    endSession(CloseCode.NORMAL.code(), why);
    state = ConnectionState.OFFLINE;
    publishStatus();
    connectNow();
  }

  // ---- messages (engine thread) ---------------------------------------------------------------

  private void onMessage(String text) {
    Message message;
    try {
      message = codec.decode(text);
    } catch (DecodeException e) {
      LOG.warn("undecodable message from the server ({}); reconnecting", e.getMessage());
      lastError = "malformed";
      endSession(CloseCode.PROTOCOL.code(), "malformed message");
      state = ConnectionState.OFFLINE;
      publishStatus();
      scheduleReconnect();
      return;
    }
    if (message instanceof Message.Welcome welcome) {
      onWelcome(welcome);
    } else if (message instanceof Message.Ack ack) {
      onAck(ack);
    } else if (message instanceof Message.Changes changes) {
      onChanges(changes);
    } else if (message instanceof Message.Snapshot snapshot) {
      onSnapshot(snapshot);
    } else if (message instanceof Message.Authed authed) {
      refresh.schedule(generation, authed.tokenExpiresAt());
    } else if (message instanceof Message.Revoked revoked) {
      onRevoked(revoked.space());
    } else if (message instanceof Message.Synced synced) {
      onSynced(synced);
    } else if (message instanceof Message.Error error) {
      onError(error);
    } else {
      LOG.warn("unexpected {} message from the server; ignored", message.type());
    }
  }

  private void onWelcome(Message.Welcome welcome) {
    welcomed = true;
    authFailures = 0;
    state = ConnectionState.ONLINE;
    lastError = null;
    nextRetryAt = null;
    failedThisSession = false;
    int gen = generation;
    stableTask =
        executor.schedule(
            () ->
                run(
                    () -> {
                      if (gen == generation && welcomed && !failedThisSession) {
                        backoff.reset();
                      }
                    }),
            STABLE_SESSION.toMillis(),
            TimeUnit.MILLISECONDS);
    forbidden.clear();
    Set<String> granted = new HashSet<>();
    for (Message.SpaceHead head : welcome.spaces()) {
      granted.add(head.space());
      lag.announced(head.space(), head.head());
    }
    List<String> missedRevocations = new ArrayList<>();
    for (String space : config.spaces()) {
      if (!granted.contains(space)) {
        forbidden.add(space);
        // Synced before, refused now: a revocation we missed while offline.
        if (store.cursor(space) > 0 || store.snapshotInProgress(space)) {
          missedRevocations.add(space);
        }
      }
    }
    LOG.info("online: server {}, {} spaces granted", welcome.serverId(), granted.size());
    refresh.schedule(generation, welcome.tokenExpiresAt());
    for (String space : missedRevocations) {
      if (onRevoked(space)) {
        return;
      }
    }
    waiters.askAgain();
    pusher.pushMore();
    publishStatus();
    checkWaiters();
  }

  private void onAck(Message.Ack ack) {
    if (!ack.replicaId().equals(store.replica().replicaId())) {
      LOG.debug("ack for former replica id {}; ignored", ack.replicaId());
      return;
    }
    lastAckAt = config.clock().instant();
    if (pusher.onAck(ack)) {
      // Changes move again: the failure streak is over.
      backoff.reset();
      lastError = null;
      nextRetryAt = null;
    }
    pusher.pushMore();
    publishStatus();
    checkWaiters();
  }

  private void onSynced(Message.Synced synced) {
    waiters.answered(synced);
    for (Message.SpaceHead head : synced.spaces()) {
      if (lag.knows(head.space())) {
        lag.reached(head.space(), head.head());
      }
    }
    publishStatus();
    checkWaiters();
  }

  private void onChanges(Message.Changes changes) {
    String space = changes.space();
    if (!config.spaces().contains(space)) {
      LOG.debug("changes for unsubscribed space {}; ignored", space);
      return;
    }
    long cursor = store.cursor(space);
    if (changes.from() > cursor && !store.snapshotInProgress(space)) {
      // A hole behind our cursor would be skipped for good; resubscribing resumes from the cursor.
      LOG.warn(
          "changes of {} start at {} but the cursor is {}; resubscribing",
          space,
          changes.from(),
          cursor);
      restartSession("gap in changes");
      return;
    }
    ReplicaInfo replica = store.replica();
    boolean forked = false;
    for (Message.ChangeItem item : changes.items()) {
      if (item.origin() != null
          && item.origin().replicaId().equals(replica.replicaId())
          && item.origin().seq() > replica.lastIssuedSeq()) {
        forked = true;
      }
    }
    synchronized (store) {
      List<DocumentKey> changed = store.applyChanges(space, changes.to(), changes.items());
      if (!changed.isEmpty()) {
        events.documentsChanged(changed, ChangeSource.REMOTE);
      }
    }
    lag.reached(space, changes.to());
    if (forked) {
      // The server holds a change of our replica id that we never made: another copy of this
      // database.
      LOG.warn(
          "server holds changes of replica {} beyond seq {}: this database was copied; re-keying",
          replica.replicaId(),
          replica.lastIssuedSeq());
      rekey("another copy of this database uses replica " + replica.replicaId());
      return;
    }
    publishStatus();
    checkWaiters();
  }

  private void onSnapshot(Message.Snapshot snapshot) {
    String space = snapshot.space();
    if (!config.spaces().contains(space)) {
      return;
    }
    synchronized (store) {
      List<DocumentKey> changed = store.applySnapshotPage(space, snapshot.docs());
      if (!snapshot.more()) {
        store.finishSnapshot(space, snapshot.head());
      }
      if (!changed.isEmpty()) {
        events.documentsChanged(changed, ChangeSource.REMOTE);
      }
    }
    lag.reached(space, snapshot.head());
    publishStatus();
    checkWaiters();
  }

  /** Purges a revoked space; returns whether the session was restarted (after a re-key). */
  private boolean onRevoked(String space) {
    LOG.warn("access to space {} revoked; purging it locally", space);
    Purge purge;
    synchronized (store) {
      purge = store.purgeSpace(space);
      if (!purge.documents().isEmpty()) {
        events.documentsChanged(purge.documents(), ChangeSource.REMOTE);
      }
      if (!purge.rejected().isEmpty()) {
        events.rejected(purge.rejected());
      }
    }
    rejections += purge.rejected().size();
    lag.forget(space);
    forbidden.add(space);
    if (purge.rekeyed()) {
      retargetWaiters();
      restartSession("re-keyed after revocation");
      return true;
    }
    publishStatus();
    checkWaiters();
    return false;
  }

  private void onError(Message.Error error) {
    String code = error.code();
    lastError = code;
    if (ErrorCode.REPLICA_FORGED.wire().equals(code)
        && !welcomed
        && store.predecessor().isPresent()) {
      // Before the welcome it answers our hello: the predecessor is another user's. A new id would
      // name it again (a re-key loop), so the lineage is dropped; its writes come back refused,
      // visibly.
      LOG.warn(
          "server refused predecessor {} ({}); sending its writes without it",
          store.predecessor().get(),
          error.message());
      store.dropPredecessor();
      return;
    }
    if (error.handling() == ErrorCode.Handling.REKEY) {
      LOG.warn(
          "server disagrees with this replica's seqs ({}: {}); re-keying", code, error.message());
      rekey(code + ": " + error.message());
      return;
    }
    if (error.handling() == ErrorCode.Handling.NEW_TOKEN) {
      LOG.info("server refused the token ({}); fetching a fresh one", code);
      endSession(CloseCode.NORMAL.code(), code);
      onSessionEnded(CloseCode.TOKEN.code(), code, 0);
      return;
    }
    onOtherError(error);
  }

  /** A push error, or an error about a sync request or a subscription. */
  private void onOtherError(Message.Error error) {
    switch (pusher.onError(error)) {
      case REJECTION_PENDING ->
          LOG.debug("change {} refused ({}); awaiting the ack", error.ref(), error.code());
      case SHRUNK -> pusher.pushMore();
      case FAILED -> {
        LOG.warn("push failed ({}: {}); retrying", error.code(), error.message());
        scheduleRetry(error.retryAfterMs());
      }
      case NOT_A_PUSH_ERROR -> {
        if (ErrorCode.FORBIDDEN_SPACE.wire().equals(error.code())) {
          LOG.info("server refused a subscription: {}", error.message());
        } else {
          LOG.warn("server error {}: {}", error.code(), error.message());
          if (waiters.awaitingAnswer()) {
            // It may answer a sync request: ask again later rather than wait forever.
            scheduleRetry(error.retryAfterMs());
          }
        }
      }
    }
    publishStatus();
  }

  /**
   * Retries the failed push and any unanswered sync request on this session after the backoff, or
   * after the server's {@code retryAfterMs} if that is longer. The backoff is shared with
   * reconnects and only progress resets it, so a failure right after each welcome cannot loop.
   */
  private void scheduleRetry(Long retryAfterMs) {
    failedThisSession = true;
    if (retryTask != null && !retryTask.isDone()) {
      return;
    }
    long delay = backoff.nextDelayMillis();
    if (retryAfterMs != null && retryAfterMs > delay) {
      delay = retryAfterMs;
    }
    nextRetryAt = config.clock().instant().plusMillis(delay);
    int gen = generation;
    retryTask =
        executor.schedule(
            () ->
                run(
                    () -> {
                      if (gen != generation) {
                        return;
                      }
                      // nextRetryAt stays until the outcome is known: "retried at", not "nothing
                      // pending".
                      retryTask = null;
                      pusher.release();
                      waiters.askAgain();
                      pusher.pushMore();
                      publishStatus();
                      checkWaiters();
                    }),
            delay,
            TimeUnit.MILLISECONDS);
  }

  private void rekey(String reason) {
    store.rekey(reason);
    retargetWaiters();
    restartSession("re-keyed");
  }

  private void retargetWaiters() {
    waiters.retarget(store.replica().lastIssuedSeq());
  }

  /** The engine as the pusher sees it. */
  private final class PushHost implements Pusher.Host {
    @Override
    public boolean sessionReady() {
      return welcomed && session != null;
    }

    @Override
    public void send(Message message) {
      SyncEngine.this.send(message);
    }

    @Override
    public void rejected(List<RejectedChange> rejected) {
      rejections += rejected.size();
      events.rejected(rejected);
    }
  }

  /** The engine as the token refresh sees it. */
  private final class RefreshHost implements TokenRefresh.Host {
    @Override
    public boolean current(int gen) {
      return gen == generation && welcomed;
    }

    @Override
    public void send(Message message) {
      SyncEngine.this.send(message);
    }

    @Override
    public void failed(String code) {
      lastError = code;
      publishStatus();
    }
  }

  // ---- status and waiters (engine thread) -----------------------------------------------------

  private void checkWaiters() {
    if (!welcomed) {
      return;
    }
    waiters.advance(
        new SyncWaiters.Progress() {
          @Override
          public long firstPendingSeq() {
            return store.firstPendingSeq();
          }

          @Override
          public boolean reached(String space, long head) {
            return forbidden.contains(space)
                || !config.spaces().contains(space)
                || !store.snapshotInProgress(space) && store.cursor(space) >= head;
          }
        },
        rejections,
        this::send);
  }

  private void publishStatus() {
    SyncStatus next = computeStatus();
    SyncStatus previous = status;
    status = next;
    if (!next.equals(previous)) {
      events.statusChanged(next);
    }
  }

  private void publishStatusQuietly() {
    try {
      publishStatus();
    } catch (RuntimeException e) {
      LOG.warn("status update failed", e);
    }
  }

  private SyncStatus computeStatusQuietly() {
    try {
      return computeStatus();
    } catch (RuntimeException e) {
      return new SyncStatus(ConnectionState.CLOSED, 0, 0, lastAckAt, Map.of(), lastError, null);
    }
  }

  private SyncStatus computeStatus() {
    return new SyncStatus(
        state,
        store.pendingCount(),
        store.rejectedCount(),
        lastAckAt,
        lag.statuses(config.spaces(), forbidden),
        lastError,
        nextRetryAt);
  }
}
