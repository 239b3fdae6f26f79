package dev.converge.server.sync;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.document.SnapshotReader;
import dev.converge.server.space.SpaceGrants;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Set;

/**
 * One WebSocket session: its token's grants and expiry, the replica that said hello, its replies,
 * and its {@link SpaceFeeds} (per subscribed space, a feed that pumps the log from the session's
 * cursor to the client).
 *
 * <p>Backpressure: everything the session sends goes through its {@link Outbound} queue, bounded in
 * bytes ({@code maxOutboundBytes}); a reply that would pass the budget closes the session with
 * 4008, and the feeds wait below half of it (see {@link SpaceFeeds}), so a client that stops
 * reading holds a bounded amount of server memory.
 *
 * <p>A session must say {@code hello} within {@code helloTimeout}, or it is closed with 4400; when
 * its token expires it is told {@code token_expired} and closed with 4001.
 *
 * <p>Confined to its connection's Vert.x context: every method but {@link #wake} must run there;
 * {@code wake} hops onto it.
 */
public final class SyncSession {

  /** What an undecodable message costs on top of its size: at 4 MiB/s, 16 of them a second. */
  static final long JUNK_PENALTY_BYTES = 256 * 1024;

  private final WebSocketConnection connection;
  private final Context context;
  private final Vertx vertx;
  private final ProtocolCodec codec;
  private final SyncMetrics metrics;
  private final Outbound outbound;
  private final SpaceFeeds feeds;

  private SpaceGrants grants;
  private long tokenExpiresAt;
  private long expiryTimer = -1;
  private String replicaId;
  private long helloTimer = -1;
  private InboundThrottle throttle;
  private boolean closed;
  private final RepairLedger repairs = new RepairLedger();

  SyncSession(
      WebSocketConnection connection,
      Context context,
      Vertx vertx,
      ProtocolCodec codec,
      ChangeLogReader log,
      SpaceLogCache cache,
      PageFrames frames,
      SnapshotReader snapshots,
      SyncSettings settings,
      SyncMetrics metrics) {
    this.connection = connection;
    this.context = context;
    this.vertx = vertx;
    this.codec = codec;
    this.metrics = metrics;
    this.outbound =
        new Outbound(
            connection,
            context,
            settings.maxOutboundBytes(),
            settings.maxInFlightFrames(),
            metrics,
            this::sent);
    this.feeds =
        new SpaceFeeds(
            this, context, vertx, codec, log, cache, frames, snapshots, settings, metrics,
            outbound);
    this.helloTimer =
        vertx.setTimer(
            settings.helloTimeout().toMillis(),
            id ->
                context.runOnContext(
                    v -> {
                      helloTimer = -1;
                      if (!closed && replicaId == null) {
                        metrics.error("hello_timeout");
                        close(
                            CloseCode.PROTOCOL.code(),
                            "hello not received within "
                                + settings.helloTimeout().toSeconds()
                                + " s");
                      }
                    }));
  }

  String id() {
    return connection.id();
  }

  SpaceGrants grants() {
    return grants;
  }

  /** Returns the digest repairs reported to this session and not yet found equal. */
  RepairLedger repairs() {
    return repairs;
  }

  String replicaId() {
    return replicaId;
  }

  boolean helloReceived() {
    return replicaId != null;
  }

  Set<String> spaces() {
    return feeds.spaces();
  }

  /** Installs (or replaces) the token; schedules the session's end at its expiry. */
  void authenticate(SpaceGrants grants, long expiresAtMillis) {
    this.grants = grants;
    this.tokenExpiresAt = expiresAtMillis;
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
    }
    long delay = Math.max(1, expiresAtMillis - System.currentTimeMillis());
    expiryTimer =
        vertx.setTimer(
            delay,
            id ->
                context.runOnContext(
                    v -> {
                      if (!closed) {
                        send(
                            codec.encode(
                                new Message.Error(
                                    "token_expired",
                                    "the session's token expired; connect again with a fresh token",
                                    null)));
                        close(CloseCode.TOKEN.code(), "token expired");
                      }
                    }));
  }

  long tokenExpiresAt() {
    return tokenExpiresAt;
  }

  void hello(String replicaId) {
    this.replicaId = replicaId;
    cancelHelloTimer();
  }

  private void cancelHelloTimer() {
    if (helloTimer >= 0) {
      vertx.cancelTimer(helloTimer);
      helloTimer = -1;
    }
  }

  /**
   * Starts following {@code space} from {@code since}, or from a snapshot when the log cannot serve
   * it.
   */
  void follow(String space, long since, ChangeLogReader.SpaceHead head) {
    feeds.follow(space, since, head, false);
  }

  /**
   * Starts following {@code space}; from a snapshot when {@code restored} (the client's history of
   * the space is not this server's, docs/protocol-2.md "Log epoch") or when the log cannot serve
   * it.
   */
  void follow(String space, long since, ChangeLogReader.SpaceHead head, boolean restored) {
    feeds.follow(space, since, head, restored);
  }

  /** Stops following {@code space}. */
  void unfollow(String space) {
    feeds.unfollow(space);
  }

  /**
   * Stops following {@code space} and sends {@code revoked} for it (the space was erased), once
   * however often it is told (the notification and the check after a racing hello may both tell
   * it); callable from any thread.
   */
  void revoke(String space) {
    context.runOnContext(
        v -> {
          if (!closed && feeds.unfollow(space)) {
            send(codec.encode(new Message.Revoked(space)));
          }
        });
  }

  /**
   * The session's user was erased: every space it follows is revoked (its device purges them) and
   * the session ends with {@code 4001}, as a token that no longer authenticates; callable from any
   * thread.
   */
  void userErased() {
    context.runOnContext(
        v -> {
          if (closed) {
            return;
          }
          for (String space : feeds.spaces()) {
            feeds.unfollow(space);
            send(codec.encode(new Message.Revoked(space)));
          }
          close(CloseCode.TOKEN.code(), ErasureGate.USER_ERASED);
        });
  }

  /** Asks the session to look for new changes in {@code space}; callable from any thread. */
  void wake(String space) {
    feeds.wake(space);
  }

  /**
   * Sends a reply ({@code ack}, {@code error}, ...), counted against the outbound budget until the
   * transport has written it. A reply that would pass the budget closes the session with 4008: the
   * client is not reading what it asks for.
   */
  void send(String frame) {
    if (closed) {
      return;
    }
    if (!outbound.reply(frame)) {
      metrics.error("too_slow");
      close(
          CloseCode.TOO_SLOW.code(),
          "client does not read its replies; reconnect and resume from your cursor");
    }
  }

  private void sent() {
    feeds.resume();
  }

  /** Attaches the throttle of this session's connection, which junk is charged to. */
  void throttledBy(InboundThrottle throttle) {
    this.throttle = throttle;
  }

  /**
   * Charges a message the session could not decode: it slows the sender, well-formed traffic keeps
   * its rate.
   */
  void junk() {
    if (throttle != null) {
      throttle.penalize(JUNK_PENALTY_BYTES);
    }
  }

  /** Closes the connection with a code and reason. */
  void close(int code, String reason) {
    if (closed) {
      return;
    }
    markClosed();
    metrics.closed(code);
    connection.close(new CloseReason(code, reason)).subscribe().with(ok -> {}, failure -> {});
  }

  /** Releases timers; the connection is gone or going. */
  void markClosed() {
    closed = true;
    feeds.stop();
    cancelHelloTimer();
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
      expiryTimer = -1;
    }
  }

  /** Frames handed to the socket and not yet written. */
  int inFlight() {
    return outbound.frames();
  }

  /** Bytes handed to the socket and not yet written. */
  long outboundBytes() {
    return outbound.bytes();
  }

  boolean isClosed() {
    return closed;
  }

  /** Returns the cursor of {@code space}, or -1 if not followed. */
  long cursor(String space) {
    return feeds.cursor(space);
  }
}
