package dev.converge.sdk.internal.store;

import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The replica's stable point per space (docs/protocol-2.md, "Stable points"; DESIGN §7): a
 * serverSeq {@code S} such that every changeset this replica will still push for the space was made
 * with a context holding every change of the space up to {@code S}. Here: the lesser of the space's
 * cursor and the least {@code cursor_at_write} of its outbox rows (each row remembers the cursor of
 * its space when it was written, in the write's transaction).
 *
 * <p><b>Honest</b>, because the cursor only names changes already joined (changes and cursor commit
 * together), a row's context held every change up to its {@code cursor_at_write}, and rows only
 * leave the outbox (ack, quarantine, purge) or are renumbered (re-key), keeping that value. The one
 * event that moves the numbering itself is a snapshot whose head is below the cursor (the server's
 * log was reset): the cursor becomes the head, and {@link #clampWrites} lowers the rows of the
 * space to it, since a row made before saw no change the new log numbers after the head.
 *
 * <p><b>Monotone per (replica id, space).</b> The table {@code stable_reports} keeps the greatest
 * point reported per space under the current replica id, recorded before it is sent ({@link
 * #reported}). While the honest point is below it, {@link #toReport} is empty: the replica reports
 * nothing until the point has climbed back, so it never reports less and never more than is true.
 * That happens after a reset snapshot, and after a revoked space is purged (its cursor is gone, its
 * record is kept) and granted again. A re-key {@link #reset}s every record: the new id has reported
 * nothing, and its first point may be lower than its predecessor's.
 *
 * <p>Not thread-safe: the store calls it under its monitor, inside its transactions.
 */
final class StablePoints {

  private final SqlDatabase db;

  StablePoints(SqlDatabase db) {
    this.db = db;
  }

  /**
   * Returns the honest stable point of {@code space} when it is at least what was reported under
   * this replica id, else empty.
   */
  OptionalLong toReport(String space) throws SQLException {
    try (SqlRows rs =
        db.query(
            "SELECT coalesce((SELECT cursor FROM spaces WHERE space = ?1), 0),"
                + " (SELECT min(cursor_at_write) FROM outbox WHERE space = ?1),"
                + " (SELECT stable FROM stable_reports WHERE space = ?1)",
            space)) {
      rs.next();
      long stable = rs.getLong(1);
      if (!rs.isNull(2)) {
        stable = Math.min(stable, rs.getLong(2));
      }
      long reported = rs.getLong(3);
      boolean everReported = !rs.isNull(3);
      return everReported && stable < reported ? OptionalLong.empty() : OptionalLong.of(stable);
    }
  }

  /** Records the points reported, per space: a space's record never goes down. */
  void reported(Map<String, Long> points) throws SQLException {
    for (Map.Entry<String, Long> point : points.entrySet()) {
      db.update(
          "INSERT INTO stable_reports (space, stable) VALUES (?, ?) ON CONFLICT (space) DO UPDATE"
              + " SET stable = max(stable, excluded.stable)",
          point.getKey(),
          point.getValue());
    }
  }

  /** Forgets every record: a new replica id has reported nothing. */
  void reset() throws SQLException {
    db.update("DELETE FROM stable_reports");
  }

  /**
   * A snapshot of {@code space} ended at {@code head}: no row of the space claims more than the
   * head (a row made at a cursor above it, in a log the server no longer has, saw nothing the new
   * log numbers after the head).
   */
  void clampWrites(String space, long head) throws SQLException {
    db.update(
        "UPDATE outbox SET cursor_at_write = ? WHERE space = ? AND cursor_at_write > ?",
        head,
        space,
        head);
  }
}
