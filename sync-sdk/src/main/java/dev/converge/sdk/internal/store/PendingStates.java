package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lazy folding of local writes, as log-structured CRDT stores do: a local write appends its delta
 * (the outbox row, marked {@code folded = 0}) and leaves the document's stored state, its digest
 * and its field index as they were, so it does not re-encode the whole document. The states with
 * such writes are kept here, in memory, for the next write and read of the same document. They are
 * folded into the stored states (encoded, digested, indexed once) before anything else reads the
 * stored states, and whenever {@link #MAX_ROWS} writes or {@link #MAX_DOCUMENTS} documents wait.
 *
 * <p>The database stays the truth: a fold saves the states kept here while they are known to hold
 * every unfolded row, and otherwise (after a rollback, at open) rebuilds each state from its stored
 * text and the unfolded rows (deltas join idempotently, so a joined or re-encoded row folds the
 * same). A rolled-back transaction or a crash loses only this memory: the next fold, or the next
 * open, finds the rows still marked.
 *
 * <p>Not thread-safe: the store calls it under its monitor, inside its transactions.
 */
final class PendingStates {

  /**
   * Unfolded writes that trigger a fold: bounds the work of a fold and of an open after a crash.
   */
  static final int MAX_ROWS = 256;

  /** Documents with unfolded writes that trigger a fold: bounds the memory held here. */
  static final int MAX_DOCUMENTS = 64;

  private final SqlDatabase db;
  private final ProtocolCodec stored;
  private final DocumentTable documents;
  private final Map<DocumentKey, Document> states = new HashMap<>();
  private int rows;

  /** Whether the database may hold unfolded rows that {@link #states} does not reflect. */
  private boolean unknown = true;

  PendingStates(SqlDatabase db, ProtocolCodec codec, DocumentTable documents) {
    this.db = db;
    this.stored = codec.forStoredData();
    this.documents = documents;
  }

  /**
   * Returns a private copy of the state of {@code key} with its unfolded writes, or null when the
   * stored state is current (then {@link DocumentTable#load} serves it).
   */
  Document get(DocumentKey key) throws SQLException {
    Document state = take(key);
    return state == null ? null : state.copy();
  }

  /**
   * Returns the state of {@code key} with its unfolded writes itself, not a copy, for a write that
   * hands it back through {@link #wrote} or calls {@link #forget} if it fails; null when the stored
   * state is current.
   */
  Document take(DocumentKey key) throws SQLException {
    if (unknown) {
      fold();
    }
    return states.get(key);
  }

  /** Records a committed-to-be write: {@code state} is the document with it applied. */
  void wrote(DocumentKey key, Document state) {
    states.put(key, state);
    rows++;
  }

  /** Whether enough waits that the store should fold now. */
  boolean full() {
    return rows >= MAX_ROWS || states.size() > MAX_DOCUMENTS;
  }

  /** Forgets what memory holds, after a rollback: the next use rebuilds it from the rows. */
  void forget() {
    states.clear();
    rows = 0;
    unknown = true;
  }

  /**
   * Folds every unfolded outbox row into its document's stored state and marks it folded; does
   * nothing when none waits.
   */
  void fold() throws SQLException {
    if (!unknown && rows == 0) {
      return;
    }
    // Known: every unfolded row was written through wrote() since the last fold (the one path that
    // leaves a row unfolded), so the states here are exactly the stored ones with those rows
    // joined.
    Map<DocumentKey, Document> folded = unknown ? rebuild() : states;
    for (Map.Entry<DocumentKey, Document> entry : folded.entrySet()) {
      documents.save(entry.getKey(), entry.getValue());
    }
    if (!folded.isEmpty()) {
      db.update("UPDATE outbox SET folded = 1 WHERE folded = 0");
    }
    states.clear();
    rows = 0;
    unknown = false;
  }

  /** Each document with unfolded rows: its stored state with their deltas joined, in seq order. */
  private Map<DocumentKey, Document> rebuild() throws SQLException {
    Map<DocumentKey, Document> folded = new LinkedHashMap<>();
    try (SqlRows rs =
        db.query(
            "SELECT space, collection, doc_id, delta FROM outbox WHERE folded = 0 ORDER BY seq")) {
      while (rs.next()) {
        DocumentKey key = new DocumentKey(rs.getString(1), rs.getString(2), rs.getString(3));
        Document state = folded.get(key);
        if (state == null) {
          state = documents.load(key);
          state = state == null ? new Document() : state;
          folded.put(key, state);
        }
        state.join(stored.decodeDocument(rs.getString(4)));
      }
    }
    return folded;
  }
}
