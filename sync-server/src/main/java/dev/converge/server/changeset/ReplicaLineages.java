package dev.converge.server.changeset;

import dev.converge.core.server.LineageRules;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.Violation;
import dev.converge.server.db.PlanCacheBypass;
import dev.converge.server.error.SyncError;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Re-key lineage (DESIGN §7): a device that takes a new replica id declares the id it succeeds, and
 * the server then accepts the predecessor's dots in the new replica's changesets (when new or
 * identical to what it holds), so no unsent write is lost across a re-key.
 *
 * <p>Only a replica id of the same token subject can be declared, so a member can never adopt
 * another member's dots. Thread-safe.
 */
@ApplicationScoped
public class ReplicaLineages {

  private static final String CHAIN =
      """
      with recursive chain(replica_id, predecessor, depth) as (
        select replica_id, predecessor, 1 from replica_progress where replica_id in (:p) and owner_subject = :s
        union all
        select r.replica_id, r.predecessor, c.depth + 1 from replica_progress r
          join chain c on r.replica_id = c.predecessor
          where c.depth < :depth and r.owner_subject = :s)
      select replica_id from chain""";

  private final Mutiny.SessionFactory sessions;

  ReplicaLineages(Mutiny.SessionFactory sessions) {
    this.sessions = sessions;
  }

  /**
   * Records that {@code replicaId} succeeds {@code predecessor}, both of {@code subject}. A replica
   * keeps the first predecessor it declared.
   *
   * @return completes once committed; fails with {@link SyncError} ({@code replica_forged}) if the
   *     predecessor belongs to another subject, or ({@code invalid}) if it names the replica itself
   */
  public Uni<Void> declare(String subject, String replicaId, String predecessor) {
    if (replicaId.equals(predecessor)) {
      Violation self =
          LineageRules.checkDeclaration(subject, replicaId, predecessor, subject).orElseThrow();
      return Uni.createFrom().failure(new SyncError(self.code(), self.message()));
    }
    return sessions.withTransaction(
        session ->
            session
                .createNativeQuery(
                    "insert into replica_progress(replica_id, owner_subject, last_seq) values (:p, :s, 0) on conflict do nothing")
                .setParameter("p", predecessor)
                .setParameter("s", subject)
                .executeUpdate()
                .chain(() -> session.find(ReplicaProgress.class, predecessor))
                .chain(
                    owner -> {
                      if (owner == null) {
                        // The subject was erased (V9): nothing of it is recorded again.
                        return Uni.createFrom().failure(SyncError.of(PushService.erasedUser()));
                      }
                      Optional<Violation> refused =
                          LineageRules.checkDeclaration(
                              subject, replicaId, predecessor, owner.ownerSubject);
                      if (refused.isPresent()) {
                        return Uni.createFrom()
                            .failure(new SyncError(refused.get().code(), refused.get().message()));
                      }
                      return session
                          .createNativeQuery(
                              """
                  insert into replica_progress(replica_id, owner_subject, last_seq, predecessor) values (:r, :s, 0, :p)
                  on conflict (replica_id) do update set predecessor = excluded.predecessor
                  where replica_progress.owner_subject = excluded.owner_subject and replica_progress.predecessor is null""")
                          .setParameter("r", replicaId)
                          .setParameter("s", subject)
                          .setParameter("p", predecessor)
                          .executeUpdate()
                          .chain(
                              () ->
                                  session
                                      .createNativeQuery(
                                          "update replica_progress set succeeded = true where replica_id = :p and not succeeded")
                                      .setParameter("p", predecessor)
                                      .executeUpdate())
                          .replaceWithVoid();
                    }));
  }

  /**
   * Records the older links of a chain a hello named: {@code predecessor} succeeds {@code
   * lineage[0]}, which succeeds {@code lineage[1]}, and so on, each link as {@link #declare} does
   * (same subject, the first predecessor of an id kept). An id of the chain may never have said
   * hello itself: a database file copied or restored again before it reconnected.
   *
   * @return completes once every link is committed; fails as {@link #declare} on the first link
   *     refused
   */
  public Uni<Void> declareChain(String subject, String predecessor, List<String> lineage) {
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (LineageRules.Link link : LineageRules.olderLinks(predecessor, lineage)) {
      chain = chain.chain(() -> declare(subject, link.successor(), link.predecessor()));
    }
    return chain;
  }

  /**
   * Returns the lineage of a locked replica row: itself and the chain of predecessors it declared.
   */
  Uni<Lineage> lineageOf(Mutiny.Session session, ReplicaProgress replica) {
    if (replica.predecessor == null) {
      return Uni.createFrom().item(Lineage.of(replica.replicaId).succeeded(replica.succeeded));
    }
    return session
        .createNativeQuery(CHAIN, String.class)
        .setParameter("p", PlanCacheBypass.key(replica.predecessor))
        .setParameter("s", replica.ownerSubject)
        .setParameter("depth", LineageRules.MAX_DEPTH)
        .getResultList()
        .map(chain -> LineageRules.lineage(replica.replicaId, chain).succeeded(replica.succeeded));
  }
}
