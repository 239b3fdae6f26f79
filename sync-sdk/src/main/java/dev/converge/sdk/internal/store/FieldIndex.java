package dev.converge.sdk.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code doc_fields} table: the plain value of each top-level scalar field of each document (a
 * string as {@code text_value}, an integer or boolean as {@code num_value}; fractions, arrays and
 * objects are not indexed, so queries cannot filter or order on them), kept in the transaction that
 * saves the document's state, so collection queries ({@link CollectionQueries}) filter and order in
 * SQLite instead of decoding every document. Callers run it inside their transaction.
 */
final class FieldIndex {

  /** Longest string value indexed; a longer one is indexed by its first characters. */
  static final int MAX_TEXT = 256;

  private final SqlDatabase db;

  FieldIndex(SqlDatabase db) {
    this.db = db;
  }

  /** Replaces the indexed fields of {@code key} with those of {@code document}. */
  void index(DocumentKey key, Document document) throws SQLException {
    delete(key);
    ObjectNode plain = document.toJson();
    for (Map.Entry<String, JsonNode> field : plain.properties()) {
      JsonNode value = field.getValue();
      Object text = null;
      Object number = null;
      if (value.isTextual()) {
        String s = value.asText();
        text = s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
      } else if (value.isIntegralNumber() && value.canConvertToLong()) {
        number = value.asLong();
      } else if (value.isBoolean()) {
        number = value.asBoolean() ? 1L : 0L;
      }
      if (text == null && number == null) {
        continue;
      }
      db.update(
          "INSERT INTO doc_fields (space, collection, doc_id, field, text_value, num_value)"
              + " VALUES (?, ?, ?, ?, ?, ?)",
          key.space(),
          key.collection(),
          key.docId(),
          field.getKey(),
          text,
          number);
    }
  }

  /** Forgets the indexed fields of {@code key}. */
  void delete(DocumentKey key) throws SQLException {
    db.update(
        "DELETE FROM doc_fields WHERE space = ? AND collection = ? AND doc_id = ?",
        key.space(),
        key.collection(),
        key.docId());
  }

  /** Forgets the indexed fields of every document of {@code space}. */
  void deleteSpace(String space) throws SQLException {
    db.update("DELETE FROM doc_fields WHERE space = ?", space);
  }

  /**
   * Indexes every stored document (the migration that creates the table); returns how many.
   * Documents are read in pages, so a large file does not sit in memory at once.
   */
  static int indexAll(SqlDatabase db, ProtocolCodec codec) throws SQLException {
    FieldIndex index = new FieldIndex(db);
    ProtocolCodec stored = codec.forStoredData();
    int count = 0;
    String afterSpace = "";
    String afterCollection = "";
    String afterDocId = "";
    while (true) {
      List<Object[]> page = new ArrayList<>();
      try (SqlRows rs =
          db.query(
              "SELECT space, collection, doc_id, state FROM documents"
                  + " WHERE (space, collection, doc_id) > (?, ?, ?)"
                  + " ORDER BY space, collection, doc_id LIMIT 200",
              afterSpace,
              afterCollection,
              afterDocId)) {
        while (rs.next()) {
          page.add(
              new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
        }
      }
      if (page.isEmpty()) {
        return count;
      }
      for (Object[] row : page) {
        DocumentKey key = new DocumentKey((String) row[0], (String) row[1], (String) row[2]);
        index.index(key, stored.decodeDocument((String) row[3]));
        count++;
      }
      Object[] last = page.get(page.size() - 1);
      afterSpace = (String) last[0];
      afterCollection = (String) last[1];
      afterDocId = (String) last[2];
    }
  }
}
