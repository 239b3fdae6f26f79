package dev.converge.server.sync;

import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.server.PushOutcome;
import dev.converge.core.server.Refusal;
import dev.converge.server.auth.TokenRules;
import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.changeset.PushService;
import dev.converge.server.changeset.StablePoints;
import dev.converge.server.error.SyncError;
import dev.converge.server.space.SpaceGrants;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * The client messages of the sync protocol (DESIGN §3, docs/protocol-2.md), dispatched by type:
 * {@code hello} ({@link HelloHandler}), {@code push}, {@code auth}, {@code sync}, {@code fetch},
 * {@code digest} ({@link DigestExchange}), {@code subscribe} and {@code unsubscribe} ({@link
 * RuntimeSubscriptions}), each answered on its session; anything else, or anything before {@code
 * hello}, is answered with a coded {@code error}. {@link SyncEndpoint} hands it the messages of one
 * connection one at a time, so a session's pushes apply in the order they were sent and {@code
 * synced} follows the answers to everything sent before it.
 *
 * <p>Thread-safe (stateless); sessions are confined to their connection's context.
 */
@ApplicationScoped
class SyncProtocol {

  private static final Logger LOG = Logger.getLogger(SyncProtocol.class);

  private final ProtocolCodec codec;
  private final PushService pushes;
  private final ChangeLogReader log;
  private final SessionRegistry registry;
  private final SyncMetrics metrics;
  private final JWTParser tokens;
  private final TokenRules tokenRules;
  private final StablePoints stablePoints;
  private final DocumentFetch fetches;
  private final RuntimeSubscriptions subscriptions;
  private final DigestExchange digests;
  private final HelloHandler hellos;
  private final SessionErrors errors;

  SyncProtocol(
      ProtocolCodec codec,
      PushService pushes,
      ChangeLogReader log,
      SessionRegistry registry,
      SyncMetrics metrics,
      JWTParser tokens,
      TokenRules tokenRules,
      StablePoints stablePoints,
      DocumentFetch fetches,
      RuntimeSubscriptions subscriptions,
      DigestExchange digests,
      HelloHandler hellos,
      SessionErrors errors) {
    this.codec = codec;
    this.pushes = pushes;
    this.log = log;
    this.registry = registry;
    this.metrics = metrics;
    this.tokens = tokens;
    this.tokenRules = tokenRules;
    this.stablePoints = stablePoints;
    this.fetches = fetches;
    this.subscriptions = subscriptions;
    this.digests = digests;
    this.hellos = hellos;
    this.errors = errors;
  }

  /**
   * Handles one text message of {@code session}: decodes it and answers it. Never fails: every
   * refusal is answered with an {@code error}.
   *
   * @return completes once the message is handled; the endpoint handles the connection's next
   *     message only then
   */
  Uni<Void> handle(SyncSession session, String text) {
    Message message;
    try {
      message = codec.decode(text);
    } catch (DecodeException e) {
      session.junk();
      errors.fail(session, SyncError.of(e));
      return Uni.createFrom().voidItem();
    }
    try {
      if (message instanceof Message.Hello hello) {
        return hellos.hello(session, hello);
      }
      if (!session.helloReceived()) {
        throw new SyncError(ErrorCode.HELLO_REQUIRED, "send hello before " + message.type());
      }
      if (message instanceof Message.Push push) {
        return push(session, push);
      }
      if (message instanceof Message.Auth auth) {
        return reauthenticate(session, auth);
      }
      if (message instanceof Message.Sync sync) {
        return synced(session, sync);
      }
      if (message instanceof Message.Fetch fetch) {
        return fetched(session, fetch);
      }
      if (message instanceof Message.Subscribe subscribe) {
        return subscriptions.subscribe(session, subscribe);
      }
      if (message instanceof Message.Unsubscribe unsubscribe) {
        return subscriptions.unsubscribe(session, unsubscribe);
      }
      if (message instanceof Message.Digest digest) {
        return digested(session, digest);
      }
      throw new SyncError(
          ErrorCode.INVALID,
          "message type '" + message.type() + "' is sent by the server, not to it");
    } catch (SyncError e) {
      errors.fail(session, e);
      return Uni.createFrom().voidItem();
    }
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
    // Stable points count only for spaces this session follows; others are ignored.
    List<MessageParts.SpaceStable> stable =
        push.stable().stream().filter(p -> session.spaces().contains(p.space())).toList();
    return pushes
        .push(session.grants(), push.changesets(), stable)
        .invoke(outcome -> acknowledge(session, outcome))
        .onFailure()
        .recoverWithItem(
            failure -> {
              errors.fail(session, failure instanceof SyncError e ? e : internal(failure));
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
    List<MessageParts.SpaceStable> stable =
        sync.stable().stream().filter(p -> spaces.contains(p.space())).toList();
    return stablePoints
        .report(session.replicaId(), stable)
        .onFailure()
        .recoverWithItem(
            failure -> {
              // A lost report only holds compaction back; the next report raises it again.
              LOG.warnf("Stable points of %s not recorded: %s", session.replicaId(), failure);
              return null;
            })
        .chain(() -> log.heads(spaces))
        .invoke(
            heads ->
                session.send(
                    codec.encode(
                        new Message.Synced(
                            sync.ref(),
                            heads.stream()
                                .map(h -> new MessageParts.SpaceHead(h.space(), h.head()))
                                .toList()))))
        .onFailure()
        .recoverWithItem(
            failure -> {
              LOG.error("Sync head read failed", failure);
              errors.fail(
                  session,
                  new SyncError(
                      ErrorCode.INTERNAL, "the server could not read the heads; send sync again"));
              return null;
            })
        .replaceWithVoid();
  }

  /** Answers {@code fetch} with {@code docs}, or with the coded error that refuses it. */
  private Uni<Void> fetched(SyncSession session, Message.Fetch fetch) {
    return answered(
        session,
        fetches.answer(session, fetch),
        "Fetch",
        "the server could not read the documents; fetch again");
  }

  /** Answers {@code digest} with {@code digests}, or with the coded error that refuses it. */
  private Uni<Void> digested(SyncSession session, Message.Digest digest) {
    return answered(
        session,
        digests.answer(session, digest),
        "Digest",
        "the server could not read its digests; send digest again");
  }

  /**
   * Sends {@code answer}'s frame; a refusal goes back as its coded error, anything else as {@code
   * internal} with {@code retryHint}.
   */
  private Uni<Void> answered(
      SyncSession session, Uni<String> answer, String what, String retryHint) {
    return answer
        .invoke(session::send)
        .onFailure()
        .recoverWithItem(
            failure -> {
              if (failure instanceof SyncError e) {
                errors.fail(session, e);
              } else {
                LOG.error(what + " failed", failure);
                errors.fail(session, new SyncError(ErrorCode.INTERNAL, retryHint));
              }
              return null;
            })
        .replaceWithVoid();
  }

  private void acknowledge(SyncSession session, PushOutcome outcome) {
    for (Refusal refusal : outcome.refusals()) {
      metrics.error(refusal.code());
      session.send(
          codec.encode(
              new Message.Error(
                  refusal.code(), ErrorText.bounded(refusal.message()), refusal.seq())));
    }
    session.send(codec.encode(outcome.ack()));
  }

  private Uni<Void> reauthenticate(SyncSession session, Message.Auth auth) {
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
    List<String> revoked = new ArrayList<>();
    for (String space : session.spaces()) {
      if (!grants.allows(space)) {
        session.unfollow(space);
        registry.unsubscribe(session, space);
        session.send(codec.encode(new Message.Revoked(space)));
        revoked.add(space);
      }
    }
    // A replica that lost a space leaves its live set: the device purges it, and what it makes
    // there later is not covered by what it reported before.
    return stablePoints
        .leave(session.replicaId(), revoked)
        .onFailure()
        .recoverWithItem(
            failure -> {
              LOG.warnf("Live set of %s not updated: %s", session.replicaId(), failure);
              return null;
            });
  }

  private SyncError internal(Throwable failure) {
    LOG.error("Push failed", failure);
    return new SyncError(
        ErrorCode.INTERNAL, "the server could not apply the push; it was not applied, retry it");
  }
}
