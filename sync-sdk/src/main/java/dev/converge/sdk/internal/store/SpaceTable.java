package dev.converge.sdk.internal.store;

import dev.converge.sdk.storage.SqlDatabase;
import java.sql.SQLException;

/**
 * The {@code spaces} table: each space's cursor (last applied serverSeq) and whether a snapshot of
 * it is under way. Callers run it inside their own transaction.
 */
final class SpaceTable {

  private final SqlDatabase db;

  SpaceTable(SqlDatabase db) {
    this.db = db;
  }

  long cursor(String space) throws SQLException {
    return Sql.queryLong(db, "SELECT cursor FROM spaces WHERE space = ?", space);
  }

  boolean snapshotInProgress(String space) throws SQLException {
    return Sql.queryLong(db, "SELECT snapshot_active FROM spaces WHERE space = ?", space) != 0;
  }

  /**
   * Returns the server's log chain at the cursor of {@code space} (docs/protocol-2.md "Log epoch"),
   * or null when unknown.
   */
  String epoch(String space) throws SQLException {
    try (var rs = db.query("SELECT epoch FROM spaces WHERE space = ?", space)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * Moves the cursor up to {@code to}, never backwards; {@code epoch} is the log chain at {@code
   * to} (null when the server sent none).
   */
  void advance(String space, long to, String epoch) throws SQLException {
    db.update(
        "INSERT INTO spaces (space, cursor, epoch) VALUES (?, ?, ?) ON CONFLICT (space) DO UPDATE SET"
            + " epoch = CASE WHEN excluded.cursor > cursor THEN excluded.epoch"
            + " WHEN excluded.cursor = cursor THEN coalesce(excluded.epoch, epoch) ELSE epoch END,"
            + " cursor = max(cursor, excluded.cursor)",
        space,
        to,
        epoch);
  }

  /** Marks a snapshot of {@code space} as under way. */
  void beginSnapshot(String space) throws SQLException {
    db.update(
        "INSERT INTO spaces (space, cursor, snapshot_active) VALUES (?, 0, 1) ON CONFLICT (space) DO UPDATE SET"
            + " snapshot_active = 1",
        space);
  }

  /** Ends a snapshot: the cursor becomes exactly {@code head}, its epoch {@code epoch}. */
  void finishSnapshot(String space, long head, String epoch) throws SQLException {
    db.update(
        "INSERT INTO spaces (space, cursor, snapshot_active, epoch) VALUES (?, ?, 0, ?) ON CONFLICT (space)"
            // Exactly head: a cursor above it (the server's log was reset) would skip its
            // next changes.
            + " DO UPDATE SET cursor = excluded.cursor, snapshot_active = 0, epoch = excluded.epoch",
        space,
        head,
        epoch);
  }

  /** Forgets {@code space}: its cursor and snapshot mark. */
  void delete(String space) throws SQLException {
    db.update("DELETE FROM spaces WHERE space = ?", space);
  }

  /** Every space with documents, a cursor or unsent changes, in name order. */
  java.util.List<String> held() throws SQLException {
    java.util.List<String> held = new java.util.ArrayList<>();
    try (dev.converge.sdk.storage.SqlRows rs =
        db.query(
            "SELECT space FROM spaces UNION SELECT space FROM documents"
                + " UNION SELECT space FROM outbox ORDER BY 1")) {
      while (rs.next()) {
        held.add(rs.getString(1));
      }
    }
    return held;
  }
}
