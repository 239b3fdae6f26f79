package dev.converge.server.sync;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.changeset.LogEpochs;
import dev.converge.server.changeset.ReplicaLineages;
import dev.converge.server.changeset.StablePoints;
import dev.converge.server.error.SyncError;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Answers {@code hello} (docs/protocol-2.md): the protocol version, the granted and bounded
 * subscriptions, the erasure gate, the declared predecessor, the live sets and heads, the log epoch
 * check ({@link LogEpochs}, counted by {@link RestoreDetections}), then {@code welcome} and the
 * spaces followed from each subscription's cursor.
 *
 * <p>Thread-safe (stateless); sessions are confined to their connection's context.
 */
@ApplicationScoped
class HelloHandler {

  private static final Logger LOG = Logger.getLogger(HelloHandler.class);

  private final ProtocolCodec codec;
  private final ReplicaLineages lineages;
  private final SessionRegistry registry;
  private final ServerIdentity server;
  private final StablePoints stablePoints;
  private final RuntimeSubscriptions subscriptions;
  private final LogEpochs epochs;
  private final RestoreDetections restores;
  private final ErasureGate erasures;
  private final SessionErrors errors;

  HelloHandler(
      ProtocolCodec codec,
      ReplicaLineages lineages,
      SessionRegistry registry,
      ServerIdentity server,
      StablePoints stablePoints,
      RuntimeSubscriptions subscriptions,
      LogEpochs epochs,
      RestoreDetections restores,
      ErasureGate erasures,
      SessionErrors errors) {
    this.codec = codec;
    this.lineages = lineages;
    this.registry = registry;
    this.server = server;
    this.stablePoints = stablePoints;
    this.subscriptions = subscriptions;
    this.epochs = epochs;
    this.restores = restores;
    this.erasures = erasures;
    this.errors = errors;
  }

  /**
   * Handles {@code hello}: answers it with {@code welcome} (or refuses it with a coded error) and
   * starts following the granted spaces.
   *
   * @return completes once the hello is handled
   * @throws SyncError when the connection already said hello
   */
  Uni<Void> hello(SyncSession session, Message.Hello hello) {
    if (session.helloReceived()) {
      throw new SyncError(ErrorCode.INVALID, "hello was already received on this connection");
    }
    if (hello.protocol() != Message.PROTOCOL_VERSION) {
      errors.fail(
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
    List<MessageParts.Subscription> granted = new ArrayList<>();
    for (MessageParts.Subscription subscription : hello.subscriptions()) {
      if (session.grants().allows(subscription.space())) {
        granted.add(subscription);
      } else {
        errors.fail(
            session,
            new SyncError(
                ErrorCode.FORBIDDEN_SPACE,
                "space '" + subscription.space() + "' is not granted by this token"));
      }
    }
    List<MessageParts.Subscription> bounded = subscriptions.withinBound(session, granted, 0);
    // An erased user is told to purge and closed. An erased space is answered with revoked (the
    // device purges it) and is neither followed nor entered in a live set, which would recreate
    // its counter row.
    return erasures
        .check(
            session.grants().subject(),
            bounded.stream().map(MessageParts.Subscription::space).toList())
        .chain(
            verdict -> {
              if (verdict.userErased()) {
                erasures.refuseErasedUser(session, hello);
                return Uni.createFrom().voidItem();
              }
              return welcome(
                  session,
                  hello,
                  bounded.stream()
                      .filter(s -> !verdict.erasedSpaces().contains(s.space()))
                      .toList(),
                  verdict.erasedSpaces());
            });
  }

  private Uni<Void> welcome(
      SyncSession session,
      Message.Hello hello,
      List<MessageParts.Subscription> granted,
      Set<String> erased) {
    boolean[] declaredPredecessor = {false};
    Uni<Void> declared =
        hello.predecessor() == null
            ? Uni.createFrom().voidItem()
            : lineages
                .declare(session.grants().subject(), hello.replicaId(), hello.predecessor())
                .invoke(() -> declaredPredecessor[0] = true)
                .chain(
                    () ->
                        lineages.declareChain(
                            session.grants().subject(), hello.predecessor(), hello.lineage()))
                .onFailure(SyncError.class)
                .recoverWithItem(
                    e -> {
                      errors.fail(session, e);
                      return null;
                    });
    // The replica enters the live set of each subscribed space (and leaves every other one, as
    // does a predecessor it declared) under the locks its heads are read with.
    return declared
        .chain(
            () ->
                stablePoints.hello(
                    hello.replicaId(),
                    granted,
                    declaredPredecessor[0] ? hello.predecessor() : null))
        .chain(heads -> epochs.restored(granted, heads).map(restored -> Map.entry(heads, restored)))
        .chain(
            verdict -> {
              Map<String, ChangeLogReader.SpaceHead> heads = verdict.getKey();
              Set<String> restored = verdict.getValue();
              if (!restored.isEmpty()) {
                // The client passed a history this server lost (restored from a backup): it is
                // told so, served a snapshot, and pushes back what it holds (docs/reliability.md).
                restores.detected(
                    hello.replicaId(),
                    declaredPredecessor[0] ? hello.predecessor() : null,
                    restored);
                LOG.warnf(
                    "Replica %s followed a history of %s this server does not have (restored from a backup?); it repairs",
                    hello.replicaId(), restored);
              }
              // A space erased after the tombstones were read has no head: revoked as well.
              List<MessageParts.Subscription> live =
                  granted.stream().filter(s -> heads.containsKey(s.space())).toList();
              Set<String> gone = new java.util.TreeSet<>(erased);
              granted.stream()
                  .map(MessageParts.Subscription::space)
                  .filter(space -> !heads.containsKey(space))
                  .forEach(gone::add);
              session.send(
                  codec.encode(
                      new Message.Welcome(
                          server.id(),
                          Message.PROTOCOL_VERSION,
                          session.tokenExpiresAt(),
                          live.stream()
                              .map(MessageParts.Subscription::space)
                              .distinct()
                              .map(
                                  space ->
                                      new MessageParts.SpaceHead(
                                          space,
                                          heads.get(space).head(),
                                          heads.get(space).chain(),
                                          restored.contains(space)))
                              .toList())));
              // After the welcome, as a revocation during a session comes after it too.
              gone.forEach(space -> session.send(codec.encode(new Message.Revoked(space))));
              for (MessageParts.Subscription subscription : live) {
                registry.subscribe(session, subscription.space());
                session.follow(
                    subscription.space(),
                    subscription.since(),
                    heads.get(subscription.space()),
                    restored.contains(subscription.space()));
              }
              return erasures.recheck(
                  session, live.stream().map(MessageParts.Subscription::space).toList());
            })
        .replaceWithVoid();
  }
}
