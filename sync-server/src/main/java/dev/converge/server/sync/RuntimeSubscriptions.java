package dev.converge.server.sync;

import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.SpaceErasure;
import dev.converge.server.changeset.StablePoints;
import dev.converge.server.error.SyncError;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Runtime subscriptions (docs/protocol-2.md, "Runtime subscriptions"): {@code subscribe} starts
 * following granted spaces on a welcomed session, as a {@code hello} subscription would, and is
 * answered {@code subscribed}; {@code unsubscribe} stops following spaces, takes the replica out of
 * their live sets, and is answered {@code unsubscribed}. Also keeps the bound on the spaces one
 * session follows ({@code converge.sync.max-spaces-per-session}), for {@code hello} too.
 *
 * <p>Thread-safe (stateless); sessions are confined to their connection's context.
 */
@ApplicationScoped
class RuntimeSubscriptions {

  private static final Logger LOG = Logger.getLogger(RuntimeSubscriptions.class);

  private final ProtocolCodec codec;
  private final SessionRegistry registry;
  private final SyncMetrics metrics;
  private final StablePoints stablePoints;
  private final SpaceErasure erasure;
  private final int maxSpaces;

  RuntimeSubscriptions(
      ProtocolCodec codec,
      SessionRegistry registry,
      SyncMetrics metrics,
      StablePoints stablePoints,
      SpaceErasure erasure,
      SyncSettings settings) {
    this.codec = codec;
    this.registry = registry;
    this.metrics = metrics;
    this.stablePoints = stablePoints;
    this.erasure = erasure;
    this.maxSpaces = settings.maxSpacesPerSession();
  }

  /**
   * Keeps the subscriptions a session may add beside the {@code followed} spaces it follows: those
   * past the bound are answered {@code too_many_spaces} and dropped.
   */
  List<MessageParts.Subscription> withinBound(
      SyncSession session, List<MessageParts.Subscription> subscriptions, int followed) {
    int room = Math.max(0, maxSpaces - followed);
    if (subscriptions.size() <= room) {
      return subscriptions;
    }
    for (MessageParts.Subscription refused : subscriptions.subList(room, subscriptions.size())) {
      fail(
          session,
          new SyncError(
              ErrorCode.TOO_MANY_SPACES,
              "space '"
                  + refused.space()
                  + "' is not followed: a session follows at most "
                  + maxSpaces
                  + " spaces"));
    }
    return subscriptions.subList(0, room);
  }

  /**
   * Answers {@code subscribe}: ungranted spaces get {@code forbidden_space}, spaces past the bound
   * {@code too_many_spaces}, erased ones {@code revoked}; the others enter the replica's live sets
   * and are followed from their {@code since}, and {@code subscribed} names them with their heads.
   * A space already followed is named with its head and keeps its feed.
   */
  Uni<Void> subscribe(SyncSession session, Message.Subscribe subscribe) {
    Set<String> followed = session.spaces();
    List<MessageParts.Subscription> fresh = new ArrayList<>();
    List<MessageParts.Subscription> again = new ArrayList<>();
    for (MessageParts.Subscription subscription : subscribe.subscriptions()) {
      if (!session.grants().allows(subscription.space())) {
        fail(
            session,
            new SyncError(
                ErrorCode.FORBIDDEN_SPACE,
                "space '" + subscription.space() + "' is not granted by this token"));
      } else if (followed.contains(subscription.space())) {
        again.add(new MessageParts.Subscription(subscription.space(), subscription.since()));
      } else {
        fresh.add(subscription);
      }
    }
    List<MessageParts.Subscription> granted = withinBound(session, fresh, followed.size());
    return erasure
        .erased(granted.stream().map(MessageParts.Subscription::space).toList())
        .chain(
            erased -> {
              List<MessageParts.Subscription> live =
                  granted.stream().filter(s -> !erased.contains(s.space())).toList();
              List<MessageParts.Subscription> entering = new ArrayList<>(live);
              // Entering again only raises the recorded point (never lowers it) and reads the head.
              entering.addAll(again);
              return stablePoints
                  .enter(session.replicaId(), entering)
                  .invoke(
                      heads -> {
                        if (session.isClosed()) {
                          return;
                        }
                        session.send(
                            codec.encode(
                                new Message.Subscribed(
                                    entering.stream()
                                        .map(
                                            s ->
                                                new MessageParts.SpaceHead(
                                                    s.space(), heads.get(s.space()).head()))
                                        .toList())));
                        erased.forEach(
                            space -> session.send(codec.encode(new Message.Revoked(space))));
                        for (MessageParts.Subscription subscription : live) {
                          registry.subscribe(session, subscription.space());
                          session.follow(
                              subscription.space(),
                              subscription.since(),
                              heads.get(subscription.space()));
                        }
                      });
            })
        .onFailure()
        .recoverWithItem(
            failure -> {
              LOG.error("Subscribe failed", failure);
              fail(
                  session,
                  new SyncError(
                      ErrorCode.INTERNAL, "the server could not subscribe; send subscribe again"));
              return null;
            })
        .replaceWithVoid();
  }

  /**
   * Answers {@code unsubscribe}: the spaces are no longer followed (no {@code changes} of them
   * after {@code unsubscribed}) and the replica leaves their live sets. Spaces not followed are
   * named too: unsubscribing is idempotent.
   */
  Uni<Void> unsubscribe(SyncSession session, Message.Unsubscribe unsubscribe) {
    if (unsubscribe.spaces().size() > maxSpaces) {
      throw new SyncError(
          ErrorCode.TOO_MANY_SPACES,
          "unsubscribe names "
              + unsubscribe.spaces().size()
              + " spaces; a session follows at most "
              + maxSpaces);
    }
    for (String space : unsubscribe.spaces()) {
      session.unfollow(space);
      registry.unsubscribe(session, space);
    }
    session.send(codec.encode(new Message.Unsubscribed(unsubscribe.spaces())));
    return stablePoints
        .leave(session.replicaId(), unsubscribe.spaces())
        .onFailure()
        .recoverWithItem(
            failure -> {
              // Staying in a live set only holds compaction back; the next hello leaves it.
              LOG.warnf("Live set of %s not updated: %s", session.replicaId(), failure);
              return null;
            });
  }

  private void fail(SyncSession session, SyncError error) {
    metrics.error(error.code());
    session.send(
        codec.encode(new Message.Error(error.code(), ErrorText.bounded(error.getMessage()), null)));
  }
}
