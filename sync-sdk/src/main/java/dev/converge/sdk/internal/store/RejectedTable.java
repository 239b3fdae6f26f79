package dev.converge.sdk.internal.store;

import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code rejected} table: local changes the server refused (or a revocation dropped), kept for
 * the app until it dismisses them, never sent again. Callers run it inside their own transaction.
 */
final class RejectedTable {

  private final Connection connection;
  private final OutboxTable outbox;

  RejectedTable(Connection connection, OutboxTable outbox) {
    this.connection = connection;
    this.outbox = outbox;
  }

  /** Moves the outbox rows matching {@code where} here, in seq order; returns the rejections. */
  List<RejectedChange> moveFromOutbox(
      String where,
      OutboxTable.Binder binder,
      String replicaId,
      String code,
      String message,
      long now)
      throws SQLException {
    List<RejectedChange> result = new ArrayList<>();
    for (OutboxRow row : outbox.select(where + " ORDER BY seq", binder)) {
      long id;
      try (PreparedStatement ps =
          connection.prepareStatement(
              "INSERT INTO rejected (replica_id, seq, space, collection, doc_id, delta, code, message, rejected_at)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, replicaId);
        ps.setLong(2, row.seq());
        Sql.bindKey(ps, 3, row.key());
        ps.setString(6, row.deltaJson());
        ps.setString(7, code);
        ps.setString(8, message);
        ps.setLong(9, now);
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          keys.next();
          id = keys.getLong(1);
        }
      }
      outbox.delete(row.seq());
      result.add(
          new RejectedChange(
              id, row.key(), row.seq(), code, message, row.deltaJson(), Instant.ofEpochMilli(now)));
    }
    return result;
  }

  /** Every rejection, oldest first. */
  List<RejectedChange> all() throws SQLException {
    List<RejectedChange> result = new ArrayList<>();
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT id, space, collection, doc_id, seq, code, message, delta, rejected_at FROM rejected ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
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
    return Sql.queryLong(connection, "SELECT count(*) FROM rejected", null);
  }

  /** Forgets rejection {@code id}; returns whether it existed. */
  boolean dismiss(long id) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("DELETE FROM rejected WHERE id = ?")) {
      ps.setLong(1, id);
      return ps.executeUpdate() > 0;
    }
  }
}
