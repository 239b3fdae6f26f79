package dev.converge.server.sync;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.document.SnapshotReader;
import dev.converge.server.space.SpaceGrants;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * The sync protocol endpoint, {@code /v1/sync} (DESIGN §3): the connection's life and its guards.
 * The upgrade requires a valid bearer token; at open a session is made, checked against the
 * per-user connection limit and guarded (inbound rate, UTF-8 of text frames); binary frames close
 * with 1003 and oversized messages with 1009. Text messages go to {@link SyncProtocol}, one at a
 * time per connection, so a session's pushes apply in the order they were sent.
 */
@WebSocket(path = "/v1/sync")
@Authenticated
public class SyncEndpoint {

  private static final Logger LOG = Logger.getLogger(SyncEndpoint.class);

  private final ConcurrentHashMap<String, SyncSession> sessions = new ConcurrentHashMap<>();
  private final SecurityIdentity identity;
  private final SyncProtocol protocol;
  private final ProtocolCodec codec;
  private final ChangeLogReader log;
  private final SpaceLogCache cache;
  private final PageFrames frames;
  private final SnapshotReader snapshots;
  private final SessionRegistry registry;
  private final SyncSettings settings;
  private final SyncMetrics metrics;
  private final Vertx vertx;
  private final ConnectionGuards guards;

  SyncEndpoint(
      SecurityIdentity identity,
      SyncProtocol protocol,
      ProtocolCodec codec,
      ChangeLogReader log,
      SpaceLogCache cache,
      PageFrames frames,
      SnapshotReader snapshots,
      SessionRegistry registry,
      SyncSettings settings,
      SyncMetrics metrics,
      Vertx vertx,
      ConnectionGuards guards) {
    this.identity = identity;
    this.protocol = protocol;
    this.codec = codec;
    this.log = log;
    this.cache = cache;
    this.frames = frames;
    this.snapshots = snapshots;
    this.registry = registry;
    this.settings = settings;
    this.metrics = metrics;
    this.vertx = vertx;
    this.guards = guards;
  }

  /** On the event loop, so the frame guard is in place before the client's first frame is read. */
  @OnOpen
  @NonBlocking
  void open(WebSocketConnection connection) {
    SyncSession session =
        new SyncSession(
            connection,
            Vertx.currentContext(),
            vertx,
            codec,
            log,
            cache,
            frames,
            snapshots,
            settings,
            metrics);
    JsonWebToken token = (JsonWebToken) identity.getPrincipal();
    session.authenticate(SpaceGrants.of(token), token.getExpirationTime() * 1000);
    guards
        .throttleOf(connection.handshakeRequest().remoteAddress())
        .ifPresent(session::throttledBy);
    sessions.put(connection.id(), session);
    if (registry.open(session) > settings.maxConnectionsPerUser()) {
      metrics.error("too_many_connections");
      session.close(CloseCode.TOO_MANY_CONNECTIONS.code(), "too many connections");
      return;
    }
    TextFrameGuard.install(connection, session);
  }

  /** The protocol is JSON text: a binary frame closes the connection with 1003. */
  @OnBinaryMessage
  @NonBlocking
  void binary(WebSocketConnection connection, Buffer ignored) {
    SyncSession session = sessions.get(connection.id());
    if (session != null) {
      session.close(
          CloseCode.UNSUPPORTED_DATA.code(),
          "binary frames are not part of protocol 2; send JSON text frames");
    } else {
      connection
          .close(
              new CloseReason(
                  CloseCode.UNSUPPORTED_DATA.code(), "binary frames are not part of protocol 2"))
          .subscribe()
          .with(ok -> {}, e -> {});
    }
  }

  /**
   * Vert.x reports a message beyond {@code quarkus.websockets-next.server.max-message-size} as an
   * {@link IllegalStateException} ("... overflow max message size ..."): close with 1009, as
   * documented. Anything else is unexpected: logged, and closed with 1011.
   */
  @OnError
  @NonBlocking
  void failure(WebSocketConnection connection, IllegalStateException failure) {
    SyncSession session = sessions.get(connection.id());
    boolean tooBig =
        failure.getMessage() != null && failure.getMessage().contains("max message size");
    int code = tooBig ? CloseCode.TOO_BIG.code() : CloseReason.INTERNAL_SERVER_ERROR.getCode();
    String reason = tooBig ? "message larger than the frame limit" : "internal error";
    if (!tooBig) {
      LOG.error("WebSocket failure", failure);
    } else {
      metrics.error(ErrorCode.TOO_LARGE);
    }
    if (session != null) {
      session.close(code, reason);
    } else {
      connection.close(new CloseReason(code, reason)).subscribe().with(ok -> {}, e -> {});
    }
  }

  @OnClose
  void close(WebSocketConnection connection) {
    SyncSession session = sessions.remove(connection.id());
    if (session != null) {
      session.markClosed();
      registry.close(session);
    }
  }

  @OnTextMessage
  Uni<Void> message(WebSocketConnection connection, String text) {
    SyncSession session = sessions.get(connection.id());
    if (session == null || session.isClosed()) {
      return Uni.createFrom().voidItem();
    }
    return protocol.handle(session, text);
  }
}
