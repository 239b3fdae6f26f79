package dev.converge.sdk.internal.store;

import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads of a whole collection, served from SQLite: its document ids page by page, and {@link
 * CollectionQuery queries} that filter and order on the {@link FieldIndex} and decode only the
 * documents they return. Callers run it inside their transaction.
 */
final class CollectionQueries {

  private final SqlDatabase db;
  private final ProtocolCodec stored;

  CollectionQueries(SqlDatabase db, ProtocolCodec codec) {
    this.db = db;
    this.stored = codec.forStoredData();
  }

  /** Up to {@code limit} document ids of a collection after {@code afterDocId}, in id order. */
  List<String> ids(String space, String collection, String afterDocId, int limit)
      throws SQLException {
    List<String> ids = new ArrayList<>();
    try (SqlRows rs =
        db.query(
            "SELECT doc_id FROM documents WHERE space = ? AND collection = ? AND doc_id > ?"
                + " ORDER BY doc_id LIMIT ?",
            space,
            collection,
            afterDocId == null ? "" : afterDocId,
            limit)) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  /** Runs {@code query}: the matching documents, decoded, in the query's order. */
  List<StoredDocument> run(CollectionQuery query) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT d.doc_id, d.state FROM documents d");
    List<Object> args = new ArrayList<>();
    if (query.filterField() != null) {
      sql.append(
          " JOIN doc_fields f ON f.space = d.space AND f.collection = d.collection"
              + " AND f.doc_id = d.doc_id AND f.field = ?");
      args.add(query.filterField());
    }
    if (query.orderField() != null) {
      sql.append(
          " LEFT JOIN doc_fields o ON o.space = d.space AND o.collection = d.collection"
              + " AND o.doc_id = d.doc_id AND o.field = ?");
      args.add(query.orderField());
    }
    sql.append(" WHERE d.space = ? AND d.collection = ?");
    args.add(query.space());
    args.add(query.collection());
    if (query.filterField() != null) {
      Object value = query.value();
      if (query.op() == CollectionQuery.Op.PREFIX) {
        String prefix = (String) value;
        // The lower bound lets the index narrow the scan; substr decides exactly.
        sql.append(" AND f.text_value >= ? AND substr(f.text_value, 1, ?) = ?");
        args.add(prefix);
        args.add(prefix.codePointCount(0, prefix.length()));
        args.add(prefix);
      } else if (value instanceof String) {
        sql.append(" AND f.text_value = ?");
        args.add(value);
      } else {
        sql.append(" AND f.num_value = ?");
        args.add(value);
      }
    }
    String direction = query.descending() ? " DESC" : "";
    sql.append(" ORDER BY ");
    if (query.orderField() != null) {
      // Documents without an indexed value of the field come last, numbers before strings.
      sql.append(
              "(o.num_value IS NULL AND o.text_value IS NULL), (o.num_value IS NULL), o.num_value")
          .append(direction)
          .append(", o.text_value")
          .append(direction)
          .append(", ");
    }
    sql.append("d.doc_id").append(direction).append(" LIMIT ?");
    args.add(query.limit());
    List<String[]> rows = new ArrayList<>();
    try (SqlRows rs = db.query(sql.toString(), args.toArray())) {
      while (rs.next()) {
        rows.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    }
    List<StoredDocument> docs = new ArrayList<>(rows.size());
    for (String[] row : rows) {
      docs.add(
          new StoredDocument(
              new DocumentKey(query.space(), query.collection(), row[0]),
              stored.decodeDocument(row[1])));
    }
    return docs;
  }
}
