package dev.converge.server.changeset;

import dev.converge.server.space.SpaceSeq;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Retention of the change log (DESIGN §4): compacts a space's log past a horizon, and counts what
 * the log holds.
 *
 * <p>Compaction moves a space's {@code retained_after} up to the last change committed before the
 * horizon, then deletes the changes at or below it, in one transaction; readers whose cursor is
 * below {@code retained_after} get a snapshot instead of log pages. Replicas whose stable point
 * falls below the new horizon leave their space's live set in the same transaction.
 *
 * <p>Thread-safe; call on a Vert.x context marked safe for Hibernate Reactive.
 */
@ApplicationScoped
public class LogCompaction {

  private static final Logger LOG = Logger.getLogger(LogCompaction.class);

  private final Mutiny.SessionFactory sessions;

  LogCompaction(Mutiny.SessionFactory sessions) {
    this.sessions = sessions;
  }

  /** Returns how many changes the log of all spaces holds. */
  public Uni<Long> retainedChanges() {
    return sessions.withSession(
        s -> s.createNamedQuery(SpaceSeq.RETAINED_CHANGES, Long.class).getSingleResult());
  }

  /**
   * Compacts the log of {@code space} (every space when null) past {@code horizonAge}.
   *
   * @return the number of changes deleted
   */
  public Uni<Integer> compact(String space, Duration horizonAge) {
    OffsetDateTime horizon = OffsetDateTime.now().minus(horizonAge);
    String onlySpace = space == null ? "" : " and space = :space";
    return sessions
        .withTransaction(
            s -> {
              var raise =
                  s.createNativeQuery(
                          // Never past an entry a document's rebuild still needs: the oldest
                          // checkpoint of a document whose head is beyond it (a document without
                          // one needs its whole log). The chain at the new horizon is kept: a
                          // cursor exactly there is still checked (docs/protocol-2.md "Log epoch").
                          "with cand as (select space, max(server_seq) as max_seq from change_log"
                              + " where committed_at < :horizon"
                              + onlySpace
                              + " group by space),"
                              + " needed as (select d.space, min(coalesce(c.server_seq, 0)) as seq from doc_state d"
                              + " left join doc_checkpoint c using (space, collection, doc_id)"
                              + " where d.space in (select space from cand) and d.head_seq > coalesce(c.server_seq, 0)"
                              + " group by d.space),"
                              + " target as (select cand.space, least(cand.max_seq, coalesce(needed.seq, cand.max_seq)) as seq"
                              + " from cand left join needed on needed.space = cand.space)"
                              + " update space_seq s set retained_after = t.seq, retained_chain ="
                              + " (select l.chain from change_log l where l.space = t.space and l.server_seq = t.seq)"
                              + " from target t where s.space = t.space and t.seq > s.retained_after")
                      .setParameter("horizon", horizon);
              if (space != null) {
                raise.setParameter("space", space);
              }
              return raise
                  .executeUpdate()
                  .chain(
                      () ->
                          // A replica whose stable point the horizon passed leaves the live set:
                          // it needs a snapshot anyway (docs/crdt.md, bounded counters).
                          s.createNativeQuery(
                                  "delete from stable_point p using space_seq s where p.space = s.space and p.stable < s.retained_after")
                              .executeUpdate())
                  .chain(
                      () ->
                          s.createNativeQuery(
                                  "delete from change_log c using space_seq s where c.space = s.space and c.server_seq <= s.retained_after")
                              .executeUpdate());
            })
        .invoke(
            deleted -> {
              if (deleted > 0) {
                LOG.infof("Compacted %d change(s) from the log", deleted);
              }
            });
  }
}
