package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code rereads} table and the document re-read (docs/protocol-2.md): the documents whose
 * local state must be replaced by the server's, because a refused change may have superseded values
 * there that no join can bring back. A re-read is recorded with the quarantine that calls for it
 * and forgotten only when the server's state is applied, so neither a lost session nor a crash
 * loses it. Callers run it inside their own transaction.
 */
final class RereadTable {

  private final SqlDatabase db;
  private final ProtocolCodec codec;
  private final DocumentTable documents;
  private final OutboxTable outbox;

  RereadTable(SqlDatabase db, ProtocolCodec codec, DocumentTable documents, OutboxTable outbox) {
    this.db = db;
    this.codec = codec;
    this.documents = documents;
    this.outbox = outbox;
  }

  /** Records that {@code key} must be re-read (once, however many refusals call for it). */
  void add(DocumentKey key) throws SQLException {
    db.update(
        "INSERT INTO rereads (space, collection, doc_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        key.space(),
        key.collection(),
        key.docId());
  }

  /** The spaces with documents to re-read, in order. */
  List<String> spaces() throws SQLException {
    List<String> spaces = new ArrayList<>();
    try (SqlRows rs = db.query("SELECT DISTINCT space FROM rereads ORDER BY space")) {
      while (rs.next()) {
        spaces.add(rs.getString(1));
      }
    }
    return spaces;
  }

  /** Up to {@code limit} documents of {@code space} to re-read, in (collection, docId) order. */
  List<DocumentKey> pending(String space, int limit) throws SQLException {
    List<DocumentKey> keys = new ArrayList<>();
    try (SqlRows rs =
        db.query(
            "SELECT collection, doc_id FROM rereads WHERE space = ? ORDER BY collection, doc_id"
                + " LIMIT ?",
            space,
            limit)) {
      while (rs.next()) {
        keys.add(new DocumentKey(space, rs.getString(1), rs.getString(2)));
      }
    }
    return keys;
  }

  /** Forgets the re-read of {@code key}; returns whether there was one. */
  boolean remove(DocumentKey key) throws SQLException {
    return db.update(
            "DELETE FROM rereads WHERE space = ? AND collection = ? AND doc_id = ?",
            key.space(),
            key.collection(),
            key.docId())
        > 0;
  }

  /** Forgets every re-read of {@code space} (its documents are purged). */
  void deleteSpace(String space) throws SQLException {
    db.update("DELETE FROM rereads WHERE space = ?", space);
  }

  /**
   * Replaces each document with the server's state joined with this device's unacked changes of it
   * (the rows still in the outbox), moving {@code clock} past the state's timestamps, and forgets
   * its re-read; returns the documents whose state changed.
   */
  List<DocumentKey> apply(String space, List<MessageParts.SnapshotDoc> docs, HybridClock clock)
      throws SQLException {
    List<DocumentKey> changed = new ArrayList<>();
    for (MessageParts.SnapshotDoc doc : docs) {
      DocumentKey key = new DocumentKey(space, doc.collection(), doc.docId());
      Document state = doc.state().document().copy();
      Hlc remote = state.maxHlc();
      if (remote.compareTo(Hlc.ZERO) > 0) {
        clock.observe(remote);
      }
      for (OutboxRow row :
          outbox.select(
              "space = ? AND collection = ? AND doc_id = ? ORDER BY seq",
              key.space(),
              key.collection(),
              key.docId())) {
        // Stored by this device's own codec: never decoded with input limits.
        state.join(codec.forStoredData().decodeDocument(row.deltaJson()));
      }
      Document before = documents.load(key);
      if (!state.equals(before == null ? new Document() : before)) {
        documents.save(key, state);
        changed.add(key);
      }
      remove(key);
    }
    return changed;
  }
}
