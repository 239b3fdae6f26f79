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

  /** Moves the cursor up to {@code to}, never backwards. */
  void advance(String space, long to) throws SQLException {
    db.update(
        "INSERT INTO spaces (space, cursor) VALUES (?, ?) ON CONFLICT (space) DO UPDATE SET"
            + " cursor = max(cursor, excluded.cursor)",
        space,
        to);
  }

  /** Marks a snapshot of {@code space} as under way. */
  void beginSnapshot(String space) throws SQLException {
    db.update(
        "INSERT INTO spaces (space, cursor, snapshot_active) VALUES (?, 0, 1) ON CONFLICT (space) DO UPDATE SET"
            + " snapshot_active = 1",
        space);
  }

  /** Ends a snapshot: the cursor becomes exactly {@code head}. */
  void finishSnapshot(String space, long head) throws SQLException {
    db.update(
        "INSERT INTO spaces (space, cursor, snapshot_active) VALUES (?, ?, 0) ON CONFLICT (space) DO UPDATE SET"
            // Exactly head: a cursor above it (the server's log was reset) would skip its
            // next changes.
            + " cursor = excluded.cursor, snapshot_active = 0",
        space,
        head);
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
