package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.DocDigest;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The {@code documents} table: each document's merged state, in the canonical encoding, with a
 * small cache of decoded states. Remote deltas are joined here, moving the clock past their
 * timestamps. Callers run it inside their own transaction.
 */
final class DocumentTable {

  private record CachedState(String text, Document document) {}

  private final SqlDatabase db;
  private final ProtocolCodec codec;
  private final LongSupplier wallMillis;
  private final FieldIndex fields;

  /**
   * Decoded states of recently used documents, each with the exact text it was decoded from or
   * encoded to. An entry is used only while the stored text equals its text, so a rolled-back
   * transaction, a purge or another writer can never make it serve a stale state.
   */
  private final Map<DocumentKey, CachedState> decoded =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<DocumentKey, CachedState> eldest) {
          return size() > 64;
        }
      };

  DocumentTable(SqlDatabase db, ProtocolCodec codec, LongSupplier wallMillis) {
    this.db = db;
    this.codec = codec;
    this.wallMillis = wallMillis;
    this.fields = new FieldIndex(db);
  }

  /** Returns the stored state of {@code key}, decoded, or null if there is none. */
  Document load(DocumentKey key) throws SQLException {
    String stored = loadText(key);
    return stored == null ? null : decode(key, stored);
  }

  /** Saves {@code document} as the state of {@code key}; the caller must not change it after. */
  void save(DocumentKey key, Document document) throws SQLException {
    String state = codec.encodeDocument(document);
    saveText(key, state);
    fields.index(key, document);
    decoded.put(key, new CachedState(state, document));
  }

  /**
   * Joins remote states or deltas into their documents, moving {@code clock} past their timestamps;
   * returns the documents whose state changed.
   */
  List<DocumentKey> join(Map<DocumentKey, List<Document>> remote, HybridClock clock)
      throws SQLException {
    Map<DocumentKey, Document> touched = new LinkedHashMap<>();
    Map<DocumentKey, String> original = new HashMap<>();
    for (Map.Entry<DocumentKey, List<Document>> entry : remote.entrySet()) {
      DocumentKey key = entry.getKey();
      for (Document delta : entry.getValue()) {
        Document local = touched.get(key);
        if (local == null) {
          String stored = loadText(key);
          original.put(key, stored);
          local = stored == null ? new Document() : decode(key, stored);
          touched.put(key, local);
        }
        // Local writes must order after every write seen, so the clock moves past remote stamps.
        Hlc remoteHlc = delta.maxHlc();
        if (remoteHlc.compareTo(Hlc.ZERO) > 0) {
          clock.observe(remoteHlc);
        }
        local.join(delta);
      }
    }
    List<DocumentKey> changed = new ArrayList<>();
    for (Map.Entry<DocumentKey, Document> entry : touched.entrySet()) {
      String encoded = codec.encodeDocument(entry.getValue());
      // Encodings are canonical, so equal text means the join changed nothing (an own echo).
      if (!encoded.equals(original.get(entry.getKey()))) {
        saveText(entry.getKey(), encoded);
        fields.index(entry.getKey(), entry.getValue());
        decoded.put(entry.getKey(), new CachedState(encoded, entry.getValue()));
        changed.add(entry.getKey());
      }
    }
    return changed;
  }

  /** Joins the changes of a page of {@code space}'s log; returns the documents changed. */
  List<DocumentKey> joinChanges(
      String space, List<MessageParts.ChangeItem> items, HybridClock clock) throws SQLException {
    return join(
        group(
            items,
            i -> new DocumentKey(space, i.collection(), i.docId()),
            i -> i.delta().document()),
        clock);
  }

  /** Joins the document states of a snapshot page of {@code space}; returns those changed. */
  List<DocumentKey> joinSnapshot(
      String space, List<MessageParts.SnapshotDoc> docs, HybridClock clock) throws SQLException {
    return join(
        group(
            docs,
            d -> new DocumentKey(space, d.collection(), d.docId()),
            d -> d.state().document()),
        clock);
  }

  /** Groups remote items by document, keeping their order, for {@link #join}. */
  private static <T> Map<DocumentKey, List<Document>> group(
      List<T> items, Function<T, DocumentKey> key, Function<T, Document> document) {
    Map<DocumentKey, List<Document>> grouped = new LinkedHashMap<>();
    for (T item : items) {
      grouped.computeIfAbsent(key.apply(item), k -> new ArrayList<>()).add(document.apply(item));
    }
    return grouped;
  }

  /** The documents of {@code space}, in (collection, docId) order. */
  List<DocumentKey> keysOf(String space) throws SQLException {
    List<DocumentKey> docs = new ArrayList<>();
    try (SqlRows rs =
        db.query(
            "SELECT collection, doc_id FROM documents WHERE space = ? ORDER BY collection, doc_id",
            space)) {
      while (rs.next()) {
        docs.add(new DocumentKey(space, rs.getString(1), rs.getString(2)));
      }
    }
    return docs;
  }

  /** Deletes every document of {@code space}. */
  void deleteSpace(String space) throws SQLException {
    db.update("DELETE FROM documents WHERE space = ?", space);
    fields.deleteSpace(space);
  }

  /** Returns a private, mutable copy of the document stored as {@code stored}. */
  private Document decode(DocumentKey key, String stored) {
    CachedState cached = decoded.get(key);
    if (cached != null && cached.text().equals(stored)) {
      return cached.document().copy();
    }
    // Stored states grow by joins past what one message may carry: never decode them with input
    // limits.
    Document document = codec.forStoredData().decodeDocument(stored);
    decoded.put(key, new CachedState(stored, document.copy()));
    return document;
  }

  private String loadText(DocumentKey key) throws SQLException {
    try (SqlRows rs =
        db.query(
            "SELECT state FROM documents WHERE space = ? AND collection = ? AND doc_id = ?",
            key.space(),
            key.collection(),
            key.docId())) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * Saves a state with its digest and digest-tree leaf (docs/protocol-2.md, "Digests"): every state
   * written goes through here, so the digest is always that of the stored text.
   */
  private void saveText(DocumentKey key, String state) throws SQLException {
    DocDigest digest = DocDigest.ofEncoded(state);
    db.update(
        "INSERT INTO documents (space, collection, doc_id, state, updated_at, digest, leaf)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (space, collection, doc_id) DO UPDATE SET state = excluded.state,"
            + " updated_at = excluded.updated_at, digest = excluded.digest, leaf = excluded.leaf",
        key.space(),
        key.collection(),
        key.docId(),
        state,
        wallMillis.getAsLong(),
        digest == null ? null : digest.hex(),
        digest == null ? null : DigestTree.leafOf(key.collection(), key.docId()));
  }

  /** Gives every stored state its digest and leaf (store schema 5, for files written before). */
  static int backfillDigests(SqlDatabase db) throws SQLException {
    List<String[]> rows = new ArrayList<>();
    try (SqlRows rs = db.query("SELECT space, collection, doc_id, state FROM documents")) {
      while (rs.next()) {
        rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
      }
    }
    for (String[] row : rows) {
      DocDigest digest = DocDigest.ofEncoded(row[3]);
      db.update(
          "UPDATE documents SET digest = ?, leaf = ? WHERE space = ? AND collection = ? AND doc_id = ?",
          digest == null ? null : digest.hex(),
          digest == null ? null : DigestTree.leafOf(row[1], row[2]),
          row[0],
          row[1],
          row[2]);
    }
    return rows.size();
  }
}
