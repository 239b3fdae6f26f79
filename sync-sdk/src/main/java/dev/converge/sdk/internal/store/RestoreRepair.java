package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.RepairDelta;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repair of a server restored from a backup (docs/reliability.md, "Restoring the server"): the
 * server said at {@code welcome} that this replica followed a history of a space it no longer has,
 * and serves the space as a snapshot. For each document of the snapshot, and then for each document
 * of the space the snapshot did not name, the device queues the {@link RepairDelta} of its state
 * against the server's ({@link RepairDelta.Scope#WITH_REMOVES}) as an ordinary outbox row: its own
 * writes the server lost, and its removes of what the server holds.
 *
 * <p>Persisted ({@code spaces.repair}, {@code repair_docs}), so a repair interrupted by a crash or
 * a lost connection resumes with the next snapshot. Not thread-safe: the store calls it under its
 * monitor, inside its transactions.
 */
final class RestoreRepair {

  private static final Logger LOG = LoggerFactory.getLogger(RestoreRepair.class);

  private final SqlDatabase db;
  private final DocumentTable documents;
  private final LocalChanges changes;
  private final LongSupplier wallMillis;

  RestoreRepair(
      SqlDatabase db, DocumentTable documents, LocalChanges changes, LongSupplier wallMillis) {
    this.db = db;
    this.documents = documents;
    this.changes = changes;
    this.wallMillis = wallMillis;
  }

  /**
   * Starts repairing {@code space}: every document it holds now is to be compared with the
   * server's. Returns false if a repair of it was under way already.
   */
  boolean begin(String space) throws SQLException {
    if (pending(space)) {
      return false;
    }
    db.update(
        "INSERT INTO spaces (space, cursor, repair) VALUES (?, 0, 1) ON CONFLICT (space) DO UPDATE"
            + " SET repair = 1",
        space);
    db.update(
        "INSERT OR IGNORE INTO repair_docs (space, collection, doc_id)"
            + " SELECT space, collection, doc_id FROM documents WHERE space = ?",
        space);
    return true;
  }

  boolean pending(String space) throws SQLException {
    return Sql.queryLong(db, "SELECT coalesce(max(repair), 0) FROM spaces WHERE space = ?", space)
        != 0;
  }

  boolean anyPending() throws SQLException {
    return Sql.queryLong(db, "SELECT count(*) FROM spaces WHERE repair <> 0") > 0;
  }

  /**
   * Queues the repair of each document of a snapshot page (before the page is joined), and, on the
   * last page, of each document of the space the snapshot did not name; the last page ends the
   * repair.
   *
   * @param seq the seq of the first row to queue
   * @return how many outbox rows were queued (seqs {@code seq, seq + 1, ...})
   */
  long page(
      String space,
      List<MessageParts.SnapshotDoc> docs,
      boolean last,
      String replicaId,
      long seq,
      Lineage own,
      HybridClock clock)
      throws SQLException {
    long next = seq;
    for (MessageParts.SnapshotDoc doc : docs) {
      DocumentKey key = new DocumentKey(space, doc.collection(), doc.docId());
      next = repair(key, doc.state().document(), replicaId, next, own, clock);
    }
    if (last) {
      List<DocumentKey> unnamed = new ArrayList<>();
      try (SqlRows rs =
          db.query("SELECT collection, doc_id FROM repair_docs WHERE space = ?", space)) {
        while (rs.next()) {
          unnamed.add(new DocumentKey(space, rs.getString(1), rs.getString(2)));
        }
      }
      for (DocumentKey key : unnamed) {
        next = repair(key, new Document(), replicaId, next, own, clock);
      }
      db.update("UPDATE spaces SET repair = 0 WHERE space = ?", space);
      LOG.info("repair of space {} queued: {} changes for the restored server", space, next - seq);
    }
    return next - seq;
  }

  private long repair(
      DocumentKey key, Document server, String replicaId, long seq, Lineage own, HybridClock clock)
      throws SQLException {
    int removed =
        db.update(
            "DELETE FROM repair_docs WHERE space = ? AND collection = ? AND doc_id = ?",
            key.space(),
            key.collection(),
            key.docId());
    Document local = removed == 0 ? null : documents.load(key);
    if (local == null) {
      return seq;
    }
    Document delta = RepairDelta.of(local, server, own, RepairDelta.Scope.WITH_REMOVES);
    if (delta.isEmpty()) {
      return seq;
    }
    try {
      changes.record(replicaId, seq, key, local, delta, clock.now(), wallMillis.getAsLong());
      return seq + 1;
    } catch (IllegalArgumentException e) {
      // Beyond what one push may carry: the document stays as the device holds it, unrepaired.
      LOG.warn("repair of {} is too large to push ({}); not sent", key, e.getMessage());
      return seq;
    }
  }
}
