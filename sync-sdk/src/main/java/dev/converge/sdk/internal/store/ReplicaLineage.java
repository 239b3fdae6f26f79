package dev.converge.sdk.internal.store;

import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Re-keying and the re-key lineage of one store (DESIGN §7, "Re-key lineage").
 *
 * <p>A re-key retires the replica id: a fresh id is taken and the unsent outbox rows are renumbered
 * 1, 2, 3, ... under it, <b>keeping their deltas byte for byte</b>. Their dots still name the id
 * they were made under; rewriting them would change what the local document states already hold and
 * what the server may already have stored from a push whose ack was lost. Instead the new id
 * declares its <i>predecessor</i> in every {@code hello} while a row made under an older id is
 * unacked, and the server accepts the predecessor's dots when they are new or identical to what it
 * stored.
 *
 * <p>Persisted in {@code meta}: {@code previous_replica_id} (the predecessor) and {@code
 * lineage_until_seq} (the rows with seq up to it were made under older ids). A chain of re-keys
 * keeps only the nearest predecessor, and the server follows the chain it recorded at each {@code
 * hello}. When the retiring id made no row still unsent, its own predecessor is carried over
 * instead, so a chain grows only through ids that wrote. The one chain the server cannot know is an
 * intermediate id that wrote and never said {@code hello} (the file copied twice before it
 * reconnected).
 *
 * <p>Not thread-safe: the store calls it under its monitor, inside its transactions.
 */
final class ReplicaLineage {

  static final String PREDECESSOR = "previous_replica_id";
  static final String UNTIL_SEQ = "lineage_until_seq";

  /**
   * The ids the predecessor succeeded in turn, its own predecessor first, comma-separated (replica
   * ids hold no comma); absent or empty when none is known.
   */
  static final String OLDER = "lineage_older";

  /**
   * The rows with seq up to it repeat writes that may have reached the server under a retired id
   * ({@link Redelivery}): their pushes are marked resent.
   */
  static final String RESEND_THROUGH = "outbox_resend_through";

  /** A completed re-key: the new replica id and the seq its next change gets. */
  record Rekeyed(String replicaId, long nextSeq) {}

  private final SqlDatabase db;
  private final PendingMeta meta;
  private final Supplier<String> newReplicaIds;

  ReplicaLineage(SqlDatabase db, PendingMeta meta, Supplier<String> newReplicaIds) {
    this.db = db;
    this.meta = meta;
    this.newReplicaIds = newReplicaIds;
  }

  /**
   * Brings a store re-keyed by an SDK that recorded no lineage up to date: every row then in the
   * outbox may carry the predecessor's dots, so all of them are covered (declaring it once too
   * often costs nothing).
   */
  void upgrade() throws SQLException {
    if (MetaTable.get(db, PREDECESSOR) != null && MetaTable.get(db, UNTIL_SEQ) == null) {
      MetaTable.put(
          db, UNTIL_SEQ, Long.toString(queryLong("SELECT coalesce(max(seq), 0) FROM outbox")));
    }
  }

  /**
   * Returns the predecessor to declare in {@code hello}: set while a row made under it is unsent.
   */
  Optional<String> predecessorToDeclare() throws SQLException {
    String predecessor = MetaTable.get(db, PREDECESSOR);
    // While a repair of a restored server is under way, its changes carry the retired id's dots.
    return predecessor != null && (pendingBelow(untilSeq()) || repairing())
        ? Optional.of(predecessor)
        : Optional.empty();
  }

  /** Returns the ids to name beside the declared predecessor in {@code hello} ({@link #OLDER}). */
  List<String> olderToDeclare() throws SQLException {
    return predecessorToDeclare().isPresent() ? older() : List.of();
  }

  private List<String> older() throws SQLException {
    String value = MetaTable.get(db, OLDER);
    return value == null || value.isEmpty() ? List.of() : List.of(value.split(","));
  }

  /** Returns the nearest predecessor recorded, whether or not it is still declared. */
  Optional<String> declared() throws SQLException {
    return Optional.ofNullable(MetaTable.get(db, PREDECESSOR));
  }

  private boolean repairing() throws SQLException {
    return queryLong("SELECT count(*) FROM spaces WHERE repair <> 0") > 0;
  }

  /** Forgets the lineage: no predecessor is declared any more (the retired ids stay retired). */
  void drop() throws SQLException {
    MetaTable.put(db, UNTIL_SEQ, "0");
  }

  /**
   * Retires {@code currentId}: takes a fresh id, renumbers the outbox rows from 1 in their order
   * and records the lineage; the caller commits. The rows up to {@code vouchedThrough} (old seqs),
   * and those an earlier re-key vouched for, are marked as possibly delivered already.
   */
  Rekeyed rekey(String currentId, long rekeys, String reason, long vouchedThrough)
      throws SQLException {
    long vouched = Math.max(vouchedThrough, resendThrough(db));
    // Renumbering keeps the order: the vouched rows stay a prefix.
    long resendThrough = Sql.queryLong(db, "SELECT count(*) FROM outbox WHERE seq <= ?", vouched);
    MetaTable.put(db, RESEND_THROUGH, Long.toString(resendThrough));
    String fresh = newReplicaIds.get();
    long until = untilSeq();
    boolean olderRowsPending = pendingBelow(until);
    boolean ownRowsPending = queryLong("SELECT count(*) FROM outbox WHERE seq > " + until) > 0;
    String inherited = MetaTable.get(db, PREDECESSOR);
    // An id with no unsent row of its own left no dot in flight: its predecessor is the one to
    // name.
    // A repair of a restored server pushes the retiring id's dots: it is the one to name then.
    String predecessor =
        olderRowsPending && !ownRowsPending && inherited != null && !repairing()
            ? inherited
            : currentId;
    long rows = renumberOutbox();
    // Naming the retiring id pushes the chain one step back: what it succeeded comes first.
    List<String> older = new ArrayList<>();
    if (predecessor.equals(currentId) && inherited != null) {
      older.add(inherited);
    }
    older.addAll(older());
    older.remove(predecessor);
    MetaTable.put(
        db,
        OLDER,
        String.join(
            ",",
            older.subList(
                0, Math.min(older.size(), dev.converge.core.protocol.Message.Hello.MAX_LINEAGE))));
    MetaTable.put(db, PREDECESSOR, predecessor);
    MetaTable.put(db, UNTIL_SEQ, Long.toString(rows));
    MetaTable.put(db, "replica_id", fresh);
    meta.putNow("next_seq", Long.toString(rows + 1));
    MetaTable.put(db, "rekeys", Long.toString(rekeys + 1));
    MetaTable.put(db, "rekey_reason", reason);
    return new Rekeyed(fresh, rows + 1);
  }

  /**
   * Returns whether a document of {@code space} may hold a dot of {@code replicaId}: deleting it
   * would make the replica's per-document dot numbering restart below dots it already used.
   * Encodings name every replica of a context as a JSON string, so a text search cannot miss one (a
   * false hit, the id inside a value, only costs an unneeded re-key).
   */
  boolean spaceMayHoldDotsOf(String space, String replicaId) throws SQLException {
    return Sql.queryLong(
            db,
            "SELECT EXISTS (SELECT 1 FROM documents WHERE space = ? AND instr(state, ?) > 0)",
            space,
            '"' + replicaId + '"')
        != 0;
  }

  /** The last seq whose row is marked resent ({@link #RESEND_THROUGH}), 0 if none. */
  static long resendThrough(SqlDatabase db) throws SQLException {
    String value = MetaTable.get(db, RESEND_THROUGH);
    return value == null ? 0 : Long.parseLong(value);
  }

  private long untilSeq() throws SQLException {
    String until = MetaTable.get(db, UNTIL_SEQ);
    return until == null ? 0 : Long.parseLong(until);
  }

  private boolean pendingBelow(long until) throws SQLException {
    return until > 0 && queryLong("SELECT count(*) FROM outbox WHERE seq <= " + until) > 0;
  }

  /** Renumbers the outbox rows 1..n in seq order; returns n. */
  private long renumberOutbox() throws SQLException {
    List<Long> seqs = new ArrayList<>();
    try (SqlRows rs = db.query("SELECT seq FROM outbox ORDER BY seq")) {
      while (rs.next()) {
        seqs.add(rs.getLong(1));
      }
    }
    // Ascending order: row i moves to i, below every row not yet moved, so no key collides.
    for (int i = 0; i < seqs.size(); i++) {
      db.update("UPDATE outbox SET seq = ? WHERE seq = ?", i + 1L, seqs.get(i));
    }
    return seqs.size();
  }

  private long queryLong(String sql) throws SQLException {
    return Sql.queryLong(db, sql);
  }
}
