package dev.converge.sdk.internal.store;

import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code outbox} table: local changes not yet acknowledged, by seq. Callers run it inside their
 * own transaction.
 */
final class OutboxTable {

  private static final String COLUMNS =
      "seq, space, collection, doc_id, hlc, delta, cursor_at_write";

  private final SqlDatabase db;

  OutboxTable(SqlDatabase db) {
    this.db = db;
  }

  /**
   * Appends a row; {@code cursorAtWrite} is the cursor of the row's space in the same transaction.
   */
  void insert(
      long seq, DocumentKey key, String hlc, String deltaJson, long createdAt, long cursorAtWrite)
      throws SQLException {
    db.update(
        "INSERT INTO outbox (seq, space, collection, doc_id, hlc, delta, created_at, cursor_at_write)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        seq,
        key.space(),
        key.collection(),
        key.docId(),
        hlc,
        deltaJson,
        createdAt,
        cursorAtWrite);
  }

  /** Up to {@code limit} rows with seq above {@code afterSeq}, in seq order. */
  List<OutboxRow> after(long afterSeq, int limit) throws SQLException {
    return select("seq > ? ORDER BY seq LIMIT ?", afterSeq, limit);
  }

  /** The rows matching {@code where} (an SQL condition and order), with its parameters. */
  List<OutboxRow> select(String where, Object... args) throws SQLException {
    List<OutboxRow> rows = new ArrayList<>();
    try (SqlRows rs = db.query("SELECT " + COLUMNS + " FROM outbox WHERE " + where, args)) {
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
    return rows;
  }

  long count() throws SQLException {
    return Sql.queryLong(db, "SELECT count(*) FROM outbox");
  }

  /** The smallest seq, 0 when empty. */
  long firstSeq() throws SQLException {
    return Sql.queryLong(db, "SELECT coalesce(min(seq), 0) FROM outbox");
  }

  /** Deletes the rows up to {@code upToSeq}; returns how many. */
  int deleteUpTo(long upToSeq) throws SQLException {
    return db.update("DELETE FROM outbox WHERE seq <= ?", upToSeq);
  }

  /** Deletes the row {@code seq}. */
  void delete(long seq) throws SQLException {
    db.update("DELETE FROM outbox WHERE seq = ?", seq);
  }
}
