package dev.converge.sdk.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The {@code spaces} table: each space's cursor (last applied serverSeq) and whether a snapshot of
 * it is under way. Callers run it inside their own transaction.
 */
final class SpaceTable {

  private final Connection connection;

  SpaceTable(Connection connection) {
    this.connection = connection;
  }

  long cursor(String space) throws SQLException {
    return Sql.queryLong(connection, "SELECT cursor FROM spaces WHERE space = ?", space);
  }

  boolean snapshotInProgress(String space) throws SQLException {
    return Sql.queryLong(connection, "SELECT snapshot_active FROM spaces WHERE space = ?", space)
        != 0;
  }

  /** Moves the cursor up to {@code to}, never backwards. */
  void advance(String space, long to) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO spaces (space, cursor) VALUES (?, ?) ON CONFLICT (space) DO UPDATE SET"
                + " cursor = max(cursor, excluded.cursor)")) {
      ps.setString(1, space);
      ps.setLong(2, to);
      ps.executeUpdate();
    }
  }

  /** Marks a snapshot of {@code space} as under way. */
  void beginSnapshot(String space) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO spaces (space, cursor, snapshot_active) VALUES (?, 0, 1) ON CONFLICT (space) DO UPDATE SET"
                + " snapshot_active = 1")) {
      ps.setString(1, space);
      ps.executeUpdate();
    }
  }

  /** Ends a snapshot: the cursor becomes exactly {@code head}. */
  void finishSnapshot(String space, long head) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO spaces (space, cursor, snapshot_active) VALUES (?, ?, 0) ON CONFLICT (space) DO UPDATE SET"
                // Exactly head: a cursor above it (the server's log was reset) would skip its
                // next changes.
                + " cursor = excluded.cursor, snapshot_active = 0")) {
      ps.setString(1, space);
      ps.setLong(2, head);
      ps.executeUpdate();
    }
  }

  /** Forgets {@code space}: its cursor and snapshot mark. */
  void delete(String space) throws SQLException {
    Sql.update(connection, "DELETE FROM spaces WHERE space = ?", space);
  }
}
