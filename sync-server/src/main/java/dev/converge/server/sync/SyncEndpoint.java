package dev.converge.server.sync;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.auth.TokenRules;
import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.changeset.PushOutcome;
import dev.converge.server.changeset.PushService;
import dev.converge.server.changeset.ReplicaLineages;
import dev.converge.server.changeset.SyncError;
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
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * The sync protocol v1 endpoint, {@code /v1/sync} (DESIGN §3). The upgrade requires a valid bearer
 * token; the first message must be {@code hello}. Messages of one connection are handled one at a
 * time, so a session's pushes apply in the order they were sent.
 */
@WebSocket(path = "/v1/sync")
@Authenticated
public class SyncEndpoint {

  private static final Logger LOG = Logger.getLogger(SyncEndpoint.class);

  private final ConcurrentHashMap<String, SyncSession> sessions = new ConcurrentHashMap<>();
  private final ProtocolCodec codec;
  private final PushService pushes;
  private final ReplicaLineages lineages;
  private final ChangeLogReader log;
  private final SpaceLogCache cache;
  private final SnapshotReader snapshots;
  private final SessionRegistry registry;
  private final SyncSettings settings;
  private final SyncMetrics metrics;
  private final JWTParser tokens;
  private final TokenRules tokenRules;
  private final Vertx vertx;
  private final ServerIdentity server;
  private final SecurityIdentity identity;
  private final ConnectionGuards guards;

  SyncEndpoint(
      SecurityIdentity identity,
      ProtocolCodec codec,
      PushService pushes,
      ReplicaLineages lineages,
      ChangeLogReader log,
      SpaceLogCache cache,
      SnapshotReader snapshots,
      SessionRegistry registry,
      SyncSettings settings,
      SyncMetrics metrics,
      JWTParser tokens,
      TokenRules tokenRules,
      Vertx vertx,
      ServerIdentity server,
      ConnectionGuards guards) {
    this.guards = guards;
    this.codec = codec;
    this.pushes = pushes;
    this.lineages = lineages;
    this.log = log;
    this.cache = cache;
    this.snapshots = snapshots;
    this.registry = registry;
    this.settings = settings;
    this.metrics = metrics;
    this.tokens = tokens;
    this.tokenRules = tokenRules;
    this.vertx = vertx;
    this.server = server;
    this.identity = identity;
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
    Message message;
    try {
      message = codec.decode(text);
    } catch (DecodeException e) {
      session.junk();
      fail(session, new SyncError(e.code(), e.getMessage()));
      return Uni.createFrom().voidItem();
    }
    try {
      if (message instanceof Message.Hello hello) {
        return hello(session, hello);
      }
      if (!session.helloReceived()) {
        throw new SyncError(ErrorCode.HELLO_REQUIRED, "send hello before " + message.type());
      }
      if (message instanceof Message.Push push) {
        return push(session, push);
      }
      if (message instanceof Message.Auth auth) {
        reauthenticate(session, auth);
        return Uni.createFrom().voidItem();
      }
      if (message instanceof Message.Sync sync) {
        return synced(session, sync);
      }
      throw new SyncError(
          ErrorCode.INVALID,
          "message type '" + message.type() + "' is sent by the server, not to it");
    } catch (SyncError e) {
      fail(session, e);
      return Uni.createFrom().voidItem();
    }
  }

  private Uni<Void> hello(SyncSession session, Message.Hello hello) {
    if (session.helloReceived()) {
      throw new SyncError(ErrorCode.INVALID, "hello was already received on this connection");
    }
    if (hello.protocol() != Message.PROTOCOL_VERSION) {
      fail(
          session,
          new SyncError(
              ErrorCode.PROTOCOL_VERSION,
              "this server speaks protocol "
                  + Message.PROTOCOL_VERSION
                  + ", not "
                  + hello.protocol()));
      session.close(CloseCode.PROTOCOL.code(), "unsupported protocol version");
      return Uni.createFrom().voidItem();
    }
    session.hello(hello.replicaId());
    List<Message.Subscription> granted = new ArrayList<>();
    for (Message.Subscription subscription : hello.subscriptions()) {
      if (session.grants().allows(subscription.space())) {
        granted.add(subscription);
      } else {
        fail(
            session,
            new SyncError(
                ErrorCode.FORBIDDEN_SPACE,
                "space '" + subscription.space() + "' is not granted by this token"));
      }
    }
    List<String> spaces = granted.stream().map(Message.Subscription::space).distinct().toList();
    Uni<Void> declared =
        hello.predecessor() == null
            ? Uni.createFrom().voidItem()
            : lineages
                .declare(session.grants().subject(), hello.replicaId(), hello.predecessor())
                .onFailure(SyncError.class)
                .recoverWithItem(
                    e -> {
                      fail(session, (SyncError) e);
                      return null;
                    });
    return declared
        .chain(() -> log.heads(spaces))
        .invoke(
            heads -> {
              session.send(
                  codec.encode(
                      new Message.Welcome(
                          server.id(),
                          Message.PROTOCOL_VERSION,
                          session.tokenExpiresAt(),
                          heads.stream()
                              .map(h -> new Message.SpaceHead(h.space(), h.head()))
                              .toList())));
              for (Message.Subscription subscription : granted) {
                ChangeLogReader.SpaceHead head =
                    heads.stream()
                        .filter(h -> h.space().equals(subscription.space()))
                        .findFirst()
                        .orElseThrow();
                registry.subscribe(session, subscription.space());
                session.follow(subscription.space(), subscription.since(), head);
              }
            })
        .replaceWithVoid();
  }

  private Uni<Void> push(SyncSession session, Message.Push push) {
    for (var changeset : push.changesets()) {
      if (!changeset.replicaId().equals(session.replicaId())) {
        throw new SyncError(
            ErrorCode.INVALID,
            "changeset seq "
                + changeset.seq()
                + " carries replica id '"
                + changeset.replicaId()
                + "', not the one this session said hello with",
            changeset.seq());
      }
    }
    long started = System.nanoTime();
    return pushes
        .push(session.grants(), push.changesets())
        .invoke(
            outcome -> {
              metrics.pushed(
                  outcome.results().size(),
                  outcome.newConflicts(),
                  Duration.ofNanos(System.nanoTime() - started));
              acknowledge(session, outcome);
              outcome.changedSpaces().forEach(registry::wake);
            })
        .onFailure()
        .recoverWithItem(
            failure -> {
              fail(session, failure instanceof SyncError e ? e : internal(failure));
              return null;
            })
        .replaceWithVoid();
  }

  /**
   * Answers {@code sync} with the heads committed now in the session's followed spaces; queued
   * behind the answers to every earlier message of the connection, as they are handled in order.
   */
  private Uni<Void> synced(SyncSession session, Message.Sync sync) {
    List<String> spaces =
        session.spaces().stream().filter(session.grants()::allows).sorted().toList();
    return log.heads(spaces)
        .invoke(
            heads ->
                session.send(
                    codec.encode(
                        new Message.Synced(
                            sync.ref(),
                            heads.stream()
                                .map(h -> new Message.SpaceHead(h.space(), h.head()))
                                .toList()))))
        .onFailure()
        .recoverWithItem(
            failure -> {
              LOG.error("Sync head read failed", failure);
              fail(
                  session,
                  new SyncError(
                      ErrorCode.INTERNAL, "the server could not read the heads; send sync again"));
              return null;
            })
        .replaceWithVoid();
  }

  private void acknowledge(SyncSession session, PushOutcome outcome) {
    for (PushOutcome.Rejection rejection : outcome.rejections()) {
      metrics.error(rejection.code());
      session.send(
          codec.encode(
              new Message.Error(
                  rejection.code(), ErrorText.bounded(rejection.message()), rejection.seq())));
    }
    session.send(
        codec.encode(new Message.Ack(outcome.replicaId(), outcome.upToSeq(), outcome.results())));
  }

  private void reauthenticate(SyncSession session, Message.Auth auth) {
    JsonWebToken token;
    try {
      token = tokens.parse(auth.token());
    } catch (ParseException e) {
      throw new SyncError(
          ErrorCode.TOKEN_INVALID,
          "the token in auth is invalid or expired; the session keeps its current token");
    }
    tokenRules
        .violation(token)
        .ifPresent(
            reason -> {
              throw new SyncError(
                  ErrorCode.TOKEN_INVALID,
                  "the token in auth is refused: "
                      + reason
                      + "; the session keeps its current token");
            });
    SpaceGrants grants = SpaceGrants.of(token);
    if (!grants.subject().equals(session.grants().subject())) {
      throw new SyncError(ErrorCode.TOKEN_INVALID, "the token in auth is for another subject");
    }
    session.authenticate(grants, token.getExpirationTime() * 1000);
    session.send(codec.encode(new Message.Authed(session.tokenExpiresAt())));
    for (String space : session.spaces()) {
      if (!grants.allows(space)) {
        session.unfollow(space);
        registry.unsubscribe(session, space);
        session.send(codec.encode(new Message.Revoked(space)));
      }
    }
  }

  private SyncError internal(Throwable failure) {
    LOG.error("Push failed", failure);
    return new SyncError(
        ErrorCode.INTERNAL, "the server could not apply the push; it was not applied, retry it");
  }

  private void fail(SyncSession session, SyncError error) {
    metrics.error(error.code());
    session.send(
        codec.encode(
            new Message.Error(error.code(), ErrorText.bounded(error.getMessage()), error.ref())));
  }
}
