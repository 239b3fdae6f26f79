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
                          // The chain at the new horizon is kept: a cursor exactly there is
                          // still checked (docs/protocol-2.md "Log epoch").
                          "update space_seq s set retained_after = d.max_seq, retained_chain = d.chain from ("
                              + " select distinct on (space) space, server_seq as max_seq, chain from change_log"
                              + " where committed_at < :horizon"
                              + onlySpace
                              + " order by space, server_seq desc) d where s.space = d.space and d.max_seq > s.retained_after")
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
