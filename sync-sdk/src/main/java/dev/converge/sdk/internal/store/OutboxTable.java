package dev.converge.sdk.internal.store;

import dev.converge.sdk.DocumentKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code outbox} table: local changes not yet acknowledged, by seq. Callers run it inside their
 * own transaction.
 */
final class OutboxTable {

  /** Binds the parameters of a row filter. */
  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private static final String COLUMNS =
      "seq, space, collection, doc_id, hlc, delta, cursor_at_write";

  private final Connection connection;

  OutboxTable(Connection connection) {
    this.connection = connection;
  }

  /**
   * Appends a row; {@code cursorAtWrite} is the cursor of the row's space in the same transaction.
   */
  void insert(
      long seq, DocumentKey key, String hlc, String deltaJson, long createdAt, long cursorAtWrite)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO outbox (seq, space, collection, doc_id, hlc, delta, created_at, cursor_at_write)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, seq);
      Sql.bindKey(ps, 2, key);
      ps.setString(5, hlc);
      ps.setString(6, deltaJson);
      ps.setLong(7, createdAt);
      ps.setLong(8, cursorAtWrite);
      ps.executeUpdate();
    }
  }

  /** Up to {@code limit} rows with seq above {@code afterSeq}, in seq order. */
  List<OutboxRow> after(long afterSeq, int limit) throws SQLException {
    return select(
        "seq > ? ORDER BY seq LIMIT ?",
        ps -> {
          ps.setLong(1, afterSeq);
          ps.setInt(2, limit);
        });
  }

  /** The rows matching {@code where} (an SQL condition and order), with its parameters bound. */
  List<OutboxRow> select(String where, Binder binder) throws SQLException {
    List<OutboxRow> rows = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT " + COLUMNS + " FROM outbox WHERE " + where)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new OutboxRow(
                  rs.getLong(1),
                  new DocumentKey(rs.getString(2), rs.getString(3), rs.getString(4)),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getLong(7)));
        }
      }
    }
    return rows;
  }

  long count() throws SQLException {
    return Sql.queryLong(connection, "SELECT count(*) FROM outbox", null);
  }

  /** The smallest seq, 0 when empty. */
  long firstSeq() throws SQLException {
    return Sql.queryLong(connection, "SELECT coalesce(min(seq), 0) FROM outbox", null);
  }

  /** Deletes the rows up to {@code upToSeq}; returns how many. */
  int deleteUpTo(long upToSeq) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("DELETE FROM outbox WHERE seq <= ?")) {
      ps.setLong(1, upToSeq);
      return ps.executeUpdate();
    }
  }

  /** Deletes the row {@code seq}. */
  void delete(long seq) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("DELETE FROM outbox WHERE seq = ?")) {
      ps.setLong(1, seq);
      ps.executeUpdate();
    }
  }
}
