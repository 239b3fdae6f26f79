package dev.converge.server.changeset;

import dev.converge.core.protocol.MessageParts;
import dev.converge.server.db.PlanCacheBypass;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Tells, at {@code hello}, which subscribed spaces the client followed in a history this server
 * does not have (docs/protocol-2.md "Log epoch"): the server was restored from a backup after the
 * client passed the backup's head. Detected by the client's cursor beyond the head, or by the log
 * chain at the client's cursor differing from the one it names ({@code
 * hello.subscriptions[].epoch}); the second catches a restored server that has taken new writes
 * since, reusing serverSeqs the client already passed.
 *
 * <p>No verdict where the server cannot know: a cursor below the retention horizon (a snapshot is
 * served anyway), a client naming no epoch, a row logged before chains existed.
 *
 * <p>Thread-safe; call on a Vert.x context.
 */
@ApplicationScoped
public class LogEpochs {

  private final Mutiny.SessionFactory sessions;

  LogEpochs(Mutiny.SessionFactory sessions) {
    this.sessions = sessions;
  }

  /** Returns the spaces of {@code subscriptions} whose history differs from this server's. */
  public Uni<Set<String>> restored(
      List<MessageParts.Subscription> subscriptions, Map<String, ChangeLogReader.SpaceHead> heads) {
    Set<String> restored = new HashSet<>();
    List<MessageParts.Subscription> lookups = new ArrayList<>();
    for (MessageParts.Subscription s : subscriptions) {
      ChangeLogReader.SpaceHead head = heads.get(s.space());
      if (head == null || s.since() == 0) {
        continue;
      }
      if (s.since() > head.head()) {
        restored.add(s.space());
      } else if (s.epoch() == null || s.since() < head.retainedAfter()) {
        continue;
      } else if (s.since() == head.head()) {
        if (head.chain() != null && !head.chain().equals(s.epoch())) {
          restored.add(s.space());
        }
      } else if (s.since() == head.retainedAfter()) {
        if (head.retainedChain() != null && !head.retainedChain().equals(s.epoch())) {
          restored.add(s.space());
        }
      } else {
        lookups.add(s);
      }
    }
    if (lookups.isEmpty()) {
      return Uni.createFrom().item(restored);
    }
    // One short read per subscription to check; a hello names a bounded number of spaces.
    return sessions.withSession(
        session -> {
          Uni<Void> work = Uni.createFrom().voidItem();
          for (MessageParts.Subscription s : lookups) {
            work =
                work.chain(
                    () ->
                        session
                            .createNativeQuery(
                                "select coalesce(chain, '') from change_log where space in (:s) and server_seq = :q",
                                String.class)
                            .setParameter("s", PlanCacheBypass.key(s.space()))
                            .setParameter("q", s.since())
                            .getResultList()
                            .invoke(
                                rows -> {
                                  // No row inside the retained range: the log there is another
                                  // one (or a compaction just passed it; repair is harmless).
                                  // An empty chain: logged before chains existed, no verdict.
                                  String chain = rows.isEmpty() ? null : rows.get(0);
                                  if (chain == null
                                      || (!chain.isEmpty() && !Objects.equals(chain, s.epoch()))) {
                                    restored.add(s.space());
                                  }
                                })
                            .replaceWithVoid());
          }
          return work.replaceWith(restored);
        });
  }
}
