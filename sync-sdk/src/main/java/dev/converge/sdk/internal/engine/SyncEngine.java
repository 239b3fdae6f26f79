package dev.converge.sdk.internal.engine;

import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.ChangeSource;
import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.SpaceStatus;
import dev.converge.sdk.SyncException;
import dev.converge.sdk.SyncStatus;
import dev.converge.sdk.internal.net.Transport;
import dev.converge.sdk.internal.store.OutboxRow;
import dev.converge.sdk.internal.store.Purge;
import dev.converge.sdk.internal.store.ReplicaInfo;
import dev.converge.sdk.internal.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * The replicator: keeps one WebSocket session to the server, pushes the outbox in seq order, applies
 * incoming changes and snapshots, and reconnects with jittered exponential backoff.
 *
 * <p>Per-session state (session generation, push window, heads) lives on one thread, the engine's
 * "converge-sync" thread; every public method and every transport callback is handed to it, so the
 * protocol logic needs no locks. Store writes that produce listener events run under the store's
 * monitor, so events leave in commit order.
 */
public final class SyncEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

  /** Error codes for which the server consumed the changeset {@code ref} without applying it. */
  static final Set<String> QUARANTINE_CODES =
      Set.of("malformed", "unknown_type", "invalid", "too_large", "forbidden_space",
          "dot_forged", "dot_reused", "context_forged", "out_of_range");

  /** Error codes saying the server's view of this replica id disagrees with ours. */
  static final Set<String> REKEY_CODES = Set.of("replica_forged", "seq_gap", "seq_regression");

  private static final String REPLICA_FORGED = "replica_forged";

  static final int CLOSE_NORMAL = 1000;
  static final int CLOSE_GOING_AWAY = 1001;
  static final int CLOSE_TOKEN = 4001;
  static final int CLOSE_TOO_SLOW = 4008;
  static final int CLOSE_PROTOCOL = 4400;

  /** Receives what the engine commits; called under the store's monitor, must not block. */
  public interface Events {
    /** Documents changed by remote changes, snapshots or a purge. */
    void documentsChanged(List<DocumentKey> keys, ChangeSource source);

    /** Local changes the server refused, or dropped by a revocation. */
    void rejected(List<RejectedChange> rejected);

    /** The status may have changed. */
    void statusChanged(SyncStatus status);
  }

  private record Waiter(long targetSeq, long rejectionsAtStart, CompletableFuture<Void> future) {}

  private final Store store;
  private final Transport transport;
  private final ProtocolCodec codec;
  private final EngineConfig config;
  private final Events events;
  private final ScheduledExecutorService executor;
  private final Backoff backoff;
  private final Random random = new Random();

  // ---- state owned by the engine thread -------------------------------------------------------
  private Transport.Session session;
  private int generation;
  private boolean welcomed;
  private boolean paused;
  private boolean closed;
  private int authFailures;
  private ScheduledFuture<?> reconnectTask;
  private ScheduledFuture<?> refreshTask;
  private long lastSentSeq;
  private boolean pushInFlight;
  private final Map<String, Long> heads = new HashMap<>();
  private final Map<String, Instant> behindSince = new HashMap<>();
  private final Set<String> forbidden = new HashSet<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private long rejections;
  private Instant lastAckAt;
  private String lastError;
  private ConnectionState state;

  private volatile SyncStatus status;

  /** Creates an engine; call {@link #start()} to begin syncing. */
  public SyncEngine(Store store, Transport transport, ProtocolCodec codec, EngineConfig config, Events events) {
    this.store = store;
    this.transport = transport;
    this.codec = codec;
    this.config = config;
    this.events = events;
    String name = config.replicaName() == null ? "" : "-" + config.replicaName();
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "converge-sync" + name);
      thread.setDaemon(true);
      return thread;
    });
    pool.setRemoveOnCancelPolicy(true);
    this.executor = pool;
    this.backoff = new Backoff(config.minBackoff(), config.maxBackoff(), random);
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
    run(() -> {
      pushMore();
      publishStatus();
    });
  }

  /** Recomputes the status (for example after a rejected change was dismissed). */
  public void refreshStatus() {
    run(this::publishStatus);
  }

  /** Disconnects and stays offline until {@link #resume()}; returns once the engine is paused. */
  public void pause() {
    runAndWait(() -> {
      if (paused || config.serverUri() == null) {
        return;
      }
      paused = true;
      cancelTasks();
      endSession(CLOSE_NORMAL, "paused");
      state = ConnectionState.PAUSED;
      publishStatus();
    });
  }

  /** Ends a {@link #pause()}: starts connecting at once; returns once the engine has resumed. */
  public void resume() {
    runAndWait(() -> {
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
   * rejected) and every subscribed space has caught up with the head the server announced.
   */
  public CompletableFuture<Void> syncNow(Duration timeout) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    long target = store.replica().lastIssuedSeq();
    run(() -> {
      if (closed) {
        future.completeExceptionally(new SyncException(SyncException.Code.CLOSED, "client is closed"));
        return;
      }
      Waiter waiter = new Waiter(target, rejections, future);
      waiters.add(waiter);
      ScheduledFuture<?> timer = executor.schedule(() -> {
        if (waiters.remove(waiter)) {
          future.completeExceptionally(new SyncException(SyncException.Code.TIMEOUT,
              "not synced within " + timeout.toMillis() + " ms (state " + state + ", "
                  + store.pendingCount() + " changes pending)"));
        }
      }, timeout.toMillis(), TimeUnit.MILLISECONDS);
      future.whenComplete((ok, error) -> timer.cancel(false));
      if (paused) {
        // A paused client does not sync; the caller asked to sync, so it waits for resume() or the timeout.
        LOG.debug("syncNow while paused: waiting for resume");
      }
      pushMore();
      checkWaiters();
    });
    return future;
  }

  /** Closes the session, fails pending {@link #syncNow} futures and stops the engine thread. */
  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        closed = true;
        cancelTasks();
        endSession(CLOSE_NORMAL, "client closed");
        state = ConnectionState.CLOSED;
        for (Waiter waiter : waiters) {
          waiter.future().completeExceptionally(new SyncException(SyncException.Code.CLOSED, "client closed"));
        }
        waiters.clear();
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

  /** Runs {@code task} on the engine thread and waits for it (briefly), so the caller sees its effect. */
  private void runAndWait(Runnable task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    run(() -> {
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
      executor.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.error("sync engine task failed; reconnecting", e);
          lastError = "internal";
          if (session != null) {
            endSession(CLOSE_NORMAL, "internal error");
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
    pushInFlight = false;
    lastSentSeq = 0;
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
      run(() -> {
        if (gen == generation) {
          sendHello();
        }
      });
    }

    @Override
    public void onText(String text) {
      run(() -> {
        if (gen == generation) {
          onMessage(text);
        }
      });
    }

    @Override
    public void onClosed(int code, String reason) {
      run(() -> {
        if (gen == generation) {
          onSessionEnded(code, reason, 0);
        }
      });
    }

    @Override
    public void onFailure(Throwable error, int httpStatus) {
      run(() -> {
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
    send(new Message.Hello(Message.PROTOCOL_VERSION, store.replica().replicaId(), subscriptions,
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
    pushInFlight = false;
    if (refreshTask != null) {
      refreshTask.cancel(false);
    }
    if (closed || paused) {
      return;
    }
    boolean authProblem = code == CLOSE_TOKEN || httpStatus == 401 || httpStatus == 403;
    LOG.info("session ended (close {}, http {}): {}", code, httpStatus, reason);
    state = ConnectionState.OFFLINE;
    if (authProblem) {
      lastError = "token_invalid";
      authFailures++;
      if (authFailures == 1) {
        // First refusal: the token may just have expired; try a fresh one at once.
        publishStatus();
        connectNow();
        return;
      }
      state = ConnectionState.AUTH_FAILED;
    } else if (code == CLOSE_TOO_SLOW) {
      lastError = "too_slow";
    } else if (code == CLOSE_PROTOCOL) {
      lastError = "protocol";
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
    reconnectTask = executor.schedule(() -> {
      reconnectTask = null;
      try {
        connectNow();
      } catch (RuntimeException e) {
        LOG.error("reconnect failed", e);
        scheduleReconnect();
      }
    }, delay, TimeUnit.MILLISECONDS);
  }

  /** Ends the current session on purpose; its late callbacks are ignored (generation bump). */
  private void endSession(int code, String reason) {
    generation++;
    if (session != null) {
      session.close(code, reason);
      session = null;
    }
    welcomed = false;
    pushInFlight = false;
  }

  private void cancelTasks() {
    if (reconnectTask != null) {
      reconnectTask.cancel(false);
      reconnectTask = null;
    }
    if (refreshTask != null) {
      refreshTask.cancel(false);
      refreshTask = null;
    }
  }

  private void restartSession(String why) {
    LOG.info("restarting the session: {}", why);
    endSession(CLOSE_NORMAL, why);
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
      endSession(CLOSE_PROTOCOL, "malformed message");
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
      scheduleRefresh(authed.tokenExpiresAt());
    } else if (message instanceof Message.Revoked revoked) {
      onRevoked(revoked.space());
    } else if (message instanceof Message.Error error) {
      onError(error);
    } else {
      LOG.warn("unexpected {} message from the server; ignored", message.type());
    }
  }

  private void onWelcome(Message.Welcome welcome) {
    welcomed = true;
    authFailures = 0;
    backoff.reset();
    state = ConnectionState.ONLINE;
    lastError = null;
    forbidden.clear();
    Set<String> granted = new HashSet<>();
    for (Message.SpaceHead head : welcome.spaces()) {
      granted.add(head.space());
      heads.merge(head.space(), head.head(), Math::max);
      updateLag(head.space());
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
    scheduleRefresh(welcome.tokenExpiresAt());
    for (String space : missedRevocations) {
      if (onRevoked(space)) {
        return;
      }
    }
    pushMore();
    publishStatus();
    checkWaiters();
  }

  private void onAck(Message.Ack ack) {
    if (!ack.replicaId().equals(store.replica().replicaId())) {
      LOG.debug("ack for former replica id {}; ignored", ack.replicaId());
      return;
    }
    store.ack(ack.upToSeq());
    lastAckAt = config.clock().instant();
    if (ack.upToSeq() >= lastSentSeq) {
      pushInFlight = false;
    }
    pushMore();
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
      LOG.warn("changes of {} start at {} but the cursor is {}; resubscribing", space, changes.from(), cursor);
      restartSession("gap in changes");
      return;
    }
    ReplicaInfo replica = store.replica();
    boolean forked = false;
    for (Message.ChangeItem item : changes.items()) {
      if (item.origin() != null && item.origin().replicaId().equals(replica.replicaId())
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
    heads.merge(space, changes.to(), Math::max);
    updateLag(space);
    if (forked) {
      // The server holds a change of our replica id that we never made: another copy of this database.
      LOG.warn("server holds changes of replica {} beyond seq {}: this database was copied; re-keying",
          replica.replicaId(), replica.lastIssuedSeq());
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
    heads.merge(space, snapshot.head(), Math::max);
    updateLag(space);
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
    heads.remove(space);
    behindSince.remove(space);
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
    if (error.ref() != null && QUARANTINE_CODES.contains(code)) {
      Optional<RejectedChange> rejected;
      synchronized (store) {
        rejected = store.quarantine(error.ref(), code, error.message());
        rejected.ifPresent(r -> events.rejected(List.of(r)));
      }
      if (rejected.isPresent()) {
        rejections++;
        LOG.warn("server rejected change {} ({}): {}", error.ref(), code, error.message());
      }
      publishStatus();
      return;
    }
    if (REPLICA_FORGED.equals(code) && !welcomed && store.predecessor().isPresent()) {
      // Before the welcome it answers our hello: the predecessor is another user's. A new id would
      // name it again (a re-key loop), so the lineage is dropped; its writes come back refused, visibly.
      LOG.warn("server refused predecessor {} ({}); sending its writes without it", store.predecessor().get(),
          error.message());
      store.dropPredecessor();
      return;
    }
    if (REKEY_CODES.contains(code)) {
      LOG.warn("server disagrees with this replica's seqs ({}: {}); re-keying", code, error.message());
      rekey(code + ": " + error.message());
      return;
    }
    switch (code) {
      case "token_expired", "token_invalid" -> {
        LOG.info("server refused the token ({}); fetching a fresh one", code);
        endSession(CLOSE_NORMAL, code);
        onSessionEnded(CLOSE_TOKEN, code, 0);
      }
      case "forbidden_space" -> LOG.info("server refused a subscription: {}", error.message());
      default -> {
        LOG.warn("server error {}: {}", code, error.message());
        publishStatus();
      }
    }
  }

  private void rekey(String reason) {
    store.rekey(reason);
    retargetWaiters();
    restartSession("re-keyed");
  }

  private void retargetWaiters() {
    long last = store.replica().lastIssuedSeq();
    waiters.replaceAll(w -> new Waiter(last, w.rejectionsAtStart(), w.future()));
  }

  // ---- push (engine thread) -------------------------------------------------------------------

  private void pushMore() {
    if (!welcomed || pushInFlight || session == null) {
      return;
    }
    List<OutboxRow> rows = store.outbox(lastSentSeq, config.batchSize());
    if (rows.isEmpty()) {
      return;
    }
    String replicaId = store.replica().replicaId();
    List<Changeset> changesets = new ArrayList<>(rows.size());
    for (OutboxRow row : rows) {
      changesets.add(new Changeset(replicaId, row.seq(), row.key().space(), row.key().collection(),
          row.key().docId(), Hlc.parse(row.hlc()), codec.decodeDocument(row.deltaJson())));
    }
    send(new Message.Push(changesets));
    pushInFlight = true;
    lastSentSeq = rows.get(rows.size() - 1).seq();
  }

  // ---- token refresh (engine thread) ----------------------------------------------------------

  private void scheduleRefresh(long expiresAtMillis) {
    if (refreshTask != null) {
      refreshTask.cancel(false);
    }
    long now = config.clock().millis();
    long lifetime = expiresAtMillis - now;
    if (lifetime <= 0) {
      LOG.debug("token expiry {} is not in the future; no refresh scheduled", expiresAtMillis);
      return;
    }
    // Refresh at 80% of the remaining lifetime, but at least 60 s before expiry when there is room.
    long delay = (long) (lifetime * 0.8);
    if (lifetime > 60_000) {
      delay = Math.min(delay, lifetime - 60_000);
    }
    int gen = generation;
    refreshTask = executor.schedule(() -> refreshToken(gen, expiresAtMillis), Math.max(0, delay), TimeUnit.MILLISECONDS);
  }

  private void refreshToken(int gen, long expiresAtMillis) {
    if (gen != generation || !welcomed) {
      return;
    }
    try {
      String token = config.tokens().token();
      send(new Message.Auth(token));
    } catch (Exception e) {
      LOG.warn("token refresh failed: {}", e.toString());
      lastError = "token_supplier_failed";
      long left = expiresAtMillis - config.clock().millis();
      if (left > 2_000) {
        refreshTask = executor.schedule(() -> refreshToken(gen, expiresAtMillis), Math.min(5_000, left / 2),
            TimeUnit.MILLISECONDS);
      }
      publishStatus();
    }
  }

  // ---- status and waiters (engine thread) -----------------------------------------------------

  private void updateLag(String space) {
    long head = heads.getOrDefault(space, 0L);
    if (head > store.cursor(space) || store.snapshotInProgress(space)) {
      behindSince.putIfAbsent(space, config.clock().instant());
    } else {
      behindSince.remove(space);
    }
  }

  private void checkWaiters() {
    if (waiters.isEmpty() || !welcomed) {
      return;
    }
    long first = store.firstPendingSeq();
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      boolean pushed = first == 0 || first > waiter.targetSeq();
      if (pushed && caughtUp()) {
        it.remove();
        if (rejections > waiter.rejectionsAtStart()) {
          waiter.future().completeExceptionally(new SyncException(SyncException.Code.REJECTED,
              "the server rejected " + (rejections - waiter.rejectionsAtStart())
                  + " change(s) while syncing; see rejectedChanges()"));
        } else {
          waiter.future().complete(null);
        }
      }
    }
  }

  private boolean caughtUp() {
    for (String space : config.spaces()) {
      if (forbidden.contains(space)) {
        continue;
      }
      if (store.snapshotInProgress(space) || store.cursor(space) < heads.getOrDefault(space, 0L)) {
        return false;
      }
    }
    return true;
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
      return new SyncStatus(ConnectionState.CLOSED, 0, 0, lastAckAt, Map.of(), lastError);
    }
  }

  private SyncStatus computeStatus() {
    Instant now = config.clock().instant();
    Map<String, SpaceStatus> spaces = new LinkedHashMap<>();
    for (String space : config.spaces()) {
      long cursor = store.cursor(space);
      long head = Math.max(cursor, heads.getOrDefault(space, 0L));
      Instant since = behindSince.get(space);
      Duration behindFor = since == null ? Duration.ZERO : Duration.between(since, now);
      spaces.put(space, new SpaceStatus(space, cursor, head, head - cursor,
          behindFor.isNegative() ? Duration.ZERO : behindFor, store.snapshotInProgress(space),
          forbidden.contains(space)));
    }
    return new SyncStatus(state, store.pendingCount(), store.rejectedCount(), lastAckAt, spaces, lastError);
  }
}
