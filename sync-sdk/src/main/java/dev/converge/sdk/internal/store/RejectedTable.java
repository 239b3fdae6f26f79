package dev.converge.sdk.internal.store;

import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code rejected} table: local changes the server refused (or a revocation dropped), kept for
 * the app until it dismisses them, never sent again. Callers run it inside their own transaction.
 */
final class RejectedTable {

  private final SqlDatabase db;
  private final OutboxTable outbox;

  RejectedTable(SqlDatabase db, OutboxTable outbox) {
    this.db = db;
    this.outbox = outbox;
  }

  /** Moves the outbox rows matching {@code where} here, in seq order; returns the rejections. */
  List<RejectedChange> moveFromOutbox(
      String where, Object[] whereArgs, String replicaId, String code, String message, long now)
      throws SQLException {
    List<RejectedChange> result = new ArrayList<>();
    for (OutboxRow row : outbox.select(where + " ORDER BY seq", whereArgs)) {
      long id =
          db.insert(
              "INSERT INTO rejected (replica_id, seq, space, collection, doc_id, delta, code, message, rejected_at)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              replicaId,
              row.seq(),
              row.key().space(),
              row.key().collection(),
              row.key().docId(),
              row.deltaJson(),
              code,
              message,
              now);
      outbox.delete(row.seq());
      result.add(
          new RejectedChange(
              id, row.key(), row.seq(), code, message, row.deltaJson(), Instant.ofEpochMilli(now)));
    }
    return result;
  }

  /** Moves the outbox row {@code seq} here, if it is there. */
  Optional<RejectedChange> moveOne(
      long seq, String replicaId, String code, String message, long now) throws SQLException {
    return moveFromOutbox("seq = ?", new Object[] {seq}, replicaId, code, message, now).stream()
        .findFirst();
  }

  /** Every rejection, oldest first. */
  List<RejectedChange> all() throws SQLException {
    List<RejectedChange> result = new ArrayList<>();
    try (SqlRows rs =
        db.query(
            "SELECT id, space, collection, doc_id, seq, code, message, delta, rejected_at FROM rejected ORDER BY id")) {
      while (rs.next()) {
        result.add(
            new RejectedChange(
                rs.getLong(1),
                new DocumentKey(rs.getString(2), rs.getString(3), rs.getString(4)),
                rs.getLong(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                Instant.ofEpochMilli(rs.getLong(9))));
      }
    }
    return result;
  }

  long count() throws SQLException {
    return Sql.queryLong(db, "SELECT count(*) FROM rejected");
  }

  /** Forgets rejection {@code id}; returns whether it existed. */
  boolean dismiss(long id) throws SQLException {
    return db.update("DELETE FROM rejected WHERE id = ?", id) > 0;
  }
}
