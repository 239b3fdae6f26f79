package dev.converge.server.changeset;

import dev.converge.core.server.LogEntry;
import dev.converge.core.server.PushPlan;
import dev.converge.core.server.RefusalRecord;
import io.smallrye.mutiny.Uni;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Reads what a push's repeated seqs were consumed as (its log entries and refusal records), for the
 * core's re-push comparison: one copy for the single-push transaction ({@link PushService}) and the
 * batch ({@link BatchApply}).
 */
final class RepushedHistory {

  private RepushedHistory() {}

  /** The refusal records of the replica at the repeated changesets' seqs. */
  static Uni<List<RefusalRecord>> refused(Mutiny.Session session, PushPlan plan) {
    List<Long> seqs = plan.repeatedSeqs();
    if (seqs.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return session
        .createSelectionQuery(
            "from RejectedChangeset r where r.replicaId = :r and r.seq in :seqs",
            RejectedChangeset.class)
        .setParameter("r", plan.replicaId())
        .setParameter("seqs", seqs)
        .getResultList()
        .map(rows -> rows.stream().map(RejectedChangeset::record).toList());
  }

  /**
   * The replica's log entries overlapping the repeated seqs, newest first, at most one more than
   * the repeated changesets (a re-push that meets more was cut into other ranges: the core refuses
   * it). An entry starts at most {@code Changeset.MAX_RANGE - 1} seqs before the first repeated
   * seq, so the index scan is bounded too.
   */
  static Uni<List<LogEntry>> logged(Mutiny.Session session, PushPlan plan) {
    if (plan.repeatedCount() == 0) {
      return Uni.createFrom().item(List.of());
    }
    return session
        .createSelectionQuery(
            "from ChangeLogEntry e where e.replicaId = :r and e.seq between :scan and :through"
                + " and coalesce(e.toSeq, e.seq) >= :from order by e.seq desc",
            ChangeLogEntry.class)
        .setParameter("r", plan.replicaId())
        .setParameter("scan", plan.repeatedScanFrom())
        .setParameter("through", plan.repeatedThrough())
        .setParameter("from", plan.repeatedFrom())
        .setMaxResults(plan.repeatedCount() + 1)
        .getResultList()
        .map(rows -> rows.stream().map(ChangeLogEntry::entry).toList());
  }
}
