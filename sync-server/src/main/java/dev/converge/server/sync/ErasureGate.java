package dev.converge.server.sync;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.SpaceErasure;
import dev.converge.server.changeset.UserErasure;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What erasure means for live sessions (docs/access-control.md section 4): a {@code hello} of an
 * erased user is told to purge every space it subscribes to and closed; a {@code hello} that races
 * with a space erasure is told {@code revoked} once the session follows the space; an erasure of a
 * user reaches that user's sessions on this node.
 */
@ApplicationScoped
class ErasureGate {

  /** The close reason (with {@code 4001}) sent to the sessions of an erased user. */
  static final String USER_ERASED = "the user was erased; its data on this device must be purged";

  private final SpaceErasure spaces;
  private final UserErasure users;
  private final SessionRegistry registry;
  private final ProtocolCodec codec;
  private final ServerIdentity server;

  ErasureGate(
      SpaceErasure spaces,
      UserErasure users,
      SessionRegistry registry,
      ProtocolCodec codec,
      ServerIdentity server) {
    this.server = server;
    this.spaces = spaces;
    this.users = users;
    this.registry = registry;
    this.codec = codec;
  }

  /** What the erasures say of a hello: its user is erased, or which of its spaces are. */
  record Verdict(boolean userErased, Set<String> erasedSpaces) {}

  /** Reads the tombstones of {@code subject} and of {@code granted}. */
  Uni<Verdict> check(String subject, List<String> granted) {
    return users
        .erased(subject)
        .chain(
            userErased ->
                userErased
                    ? Uni.createFrom().item(new Verdict(true, Set.of()))
                    : spaces.erased(granted).map(erased -> new Verdict(false, erased)));
  }

  /**
   * Answers the hello of an erased user: welcomed into no space, {@code revoked} for every space it
   * subscribes to (its device purges them), then closed with {@code 4001}. Nothing is recorded.
   */
  void refuseErasedUser(SyncSession session, Message.Hello hello) {
    session.send(
        codec.encode(
            new Message.Welcome(
                server.id(), Message.PROTOCOL_VERSION, session.tokenExpiresAt(), List.of())));
    hello.subscriptions().stream()
        .map(MessageParts.Subscription::space)
        .distinct()
        .forEach(space -> session.send(codec.encode(new Message.Revoked(space))));
    session.close(CloseCode.TOKEN.code(), USER_ERASED);
  }

  /**
   * Closes the race of a hello with a space erasure: called once {@code session} follows {@code
   * followed} and is in the registry, it reads the tombstones again. An erasure that committed
   * before this read is found here; one that commits after it notifies a registry that already
   * holds the session. Either way the session is told {@code revoked} (once: {@link
   * SyncSession#revoke} sends it only for a space still followed).
   */
  Uni<Void> recheck(SyncSession session, Collection<String> followed) {
    return spaces
        .erased(followed)
        .invoke(
            erased ->
                erased.forEach(
                    space -> {
                      registry.unsubscribe(session, space);
                      session.revoke(space);
                    }))
        .replaceWithVoid();
  }

  /** Tells this node's sessions of the erased user whose subject hashes to {@code hash}. */
  void userErased(String hash) {
    for (SyncSession session : registry.sessions()) {
      if (UserErasure.hash(session.grants().subject()).equals(hash)) {
        session.userErased();
      }
    }
  }
}
