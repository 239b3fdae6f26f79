package dev.converge.server.changeset;

import dev.converge.server.db.PlanCacheBypass;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The row locks a push batch takes ({@link BatchApply}): the pushers' progress rows in replica-id
 * order, then the space's counter row. Each is locked and read by one statement; the rows are
 * created first only when some are missing (a replica's first push, a new space), so the usual
 * batch pays one round trip for each instead of an insert and a select.
 */
final class BatchLocks {

  private BatchLocks() {}

  /**
   * Locks and reads the progress rows of the pushers {@code sorted} (in replica-id order), as
   * {@code [replica_id, owner_subject, last_seq, predecessor, succeeded]}; a replica of an erased
   * user has none (V9 keeps it from being created).
   */
  static Uni<List<Object[]>> replicas(Mutiny.Session session, List<GroupCommit.Pending> sorted) {
    List<String> ids = new ArrayList<>();
    for (GroupCommit.Pending push : sorted) {
      ids.add(push.replicaId());
    }
    return selectReplicas(session, ids)
        .chain(
            rows ->
                rows.size() == ids.size()
                    ? Uni.createFrom().item(rows)
                    : createReplicas(session, sorted).chain(() -> selectReplicas(session, ids)));
  }

  /**
   * Locks and reads {@code space}'s counter row as {@code [head, stored_bytes, chain]}, creating it
   * if new; null if the space was erased (V6 keeps its row from being created again).
   */
  static Uni<Object[]> space(Mutiny.Session session, String space) {
    return selectSpace(session, space)
        .chain(
            row ->
                row != null
                    ? Uni.createFrom().item(row)
                    : createSpaceRow(session, space).chain(() -> selectSpace(session, space)));
  }

  /**
   * Creates the counter row of a new space (head 0); a row another transaction created first is
   * left as it is. The caller locks the row next.
   */
  static Uni<Integer> createSpaceRow(Mutiny.Session session, String space) {
    return session
        .createNativeQuery(
            "insert into space_seq(space, head, retained_after) values (:s, 0, 0)"
                + " on conflict do nothing")
        .setParameter("s", space)
        .executeUpdate();
  }

  /**
   * Pads a non-empty key list to a power of two by repeating its last key, in place: a statement
   * with one placeholder per key then comes in a handful of shapes, so that its plan and prepared
   * statement are reused; a repeated key selects nothing more.
   */
  static <T> List<T> paddedToPowerOfTwo(List<T> keys) {
    while (Integer.bitCount(keys.size()) != 1) {
      keys.add(keys.get(keys.size() - 1));
    }
    return keys;
  }

  private static Uni<List<Object[]>> selectReplicas(Mutiny.Session session, List<String> ids) {
    List<String> padded = paddedToPowerOfTwo(new ArrayList<>(ids));
    return session
        .createNativeQuery(
            "select replica_id, owner_subject, last_seq, predecessor, succeeded from replica_progress"
                + " where replica_id in (:ids) order by replica_id for update",
            Object[].class)
        .setParameter("ids", padded)
        .getResultList();
  }

  private static Uni<Integer> createReplicas(
      Mutiny.Session session, List<GroupCommit.Pending> sorted) {
    StringBuilder insert =
        new StringBuilder(
            "insert into replica_progress(replica_id, owner_subject, last_seq) values ");
    for (int i = 0; i < sorted.size(); i++) {
      insert.append(i == 0 ? "" : ",").append("(:r").append(i).append(",:s").append(i);
      insert.append(",0)");
    }
    insert.append(" on conflict do nothing");
    var create = session.createNativeQuery(insert.toString());
    for (int i = 0; i < sorted.size(); i++) {
      create
          .setParameter("r" + i, sorted.get(i).replicaId())
          .setParameter("s" + i, sorted.get(i).grants().subject());
    }
    return create.executeUpdate();
  }

  private static Uni<Object[]> selectSpace(Mutiny.Session session, String space) {
    return session
        .createNativeQuery(
            "select head, stored_bytes, chain from space_seq where space in (:s) for update",
            Object[].class)
        .setParameter("s", PlanCacheBypass.key(space))
        .getSingleResultOrNull();
  }
}
