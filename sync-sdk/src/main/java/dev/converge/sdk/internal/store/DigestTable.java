package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.DocDigest;
import dev.converge.core.digest.SpaceDigest;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.RepairDelta;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The digests of the {@code documents} table (kept by {@link DocumentTable} with every state) and
 * the digest repair: the server's state of a divergent document joined in, this replica's own
 * writes the server lost put back in the outbox, others' writes the server never had reported.
 * Callers run it inside their own transaction.
 */
final class DigestTable {

  private static final Logger LOG = LoggerFactory.getLogger(DigestTable.class);

  private final SqlDatabase db;
  private final ProtocolCodec codec;
  private final DocumentTable documents;
  private final OutboxTable outbox;
  private final LocalChanges changes;

  DigestTable(
      SqlDatabase db,
      ProtocolCodec codec,
      DocumentTable documents,
      OutboxTable outbox,
      LocalChanges changes) {
    this.db = db;
    this.codec = codec;
    this.documents = documents;
    this.outbox = outbox;
    this.changes = changes;
  }

  /** Where the next scrub of each space starts: the last document it checked. */
  private final Map<String, DocumentKey> scrubbed = new HashMap<>();

  /**
   * Checks the stored digests of up to {@code limit} documents of {@code space} against their
   * states, continuing where the last scrub stopped and wrapping around, and corrects those that
   * differ: a state changed behind the store's back (a damaged file, a hand edit, a restored backup
   * of part of it) keeps a stale digest, which the exchange could not see otherwise.
   *
   * @return how many digests were wrong
   */
  int scrub(String space, int limit) throws SQLException {
    DocumentKey after = scrubbed.get(space);
    List<String[]> rows = new ArrayList<>();
    try (SqlRows rs =
        after == null
            ? db.query(
                "SELECT collection, doc_id, state, digest FROM documents WHERE space = ?"
                    + " ORDER BY collection, doc_id LIMIT ?",
                space,
                limit)
            : db.query(
                "SELECT collection, doc_id, state, digest FROM documents WHERE space = ?"
                    + " AND (collection > ? OR (collection = ? AND doc_id > ?))"
                    + " ORDER BY collection, doc_id LIMIT ?",
                space,
                after.collection(),
                after.collection(),
                after.docId(),
                limit)) {
      while (rs.next()) {
        rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
      }
    }
    int wrong = 0;
    for (String[] row : rows) {
      DocDigest digest = DocDigest.ofEncoded(row[2]);
      String hex = digest == null ? null : digest.hex();
      if (hex == null ? row[3] != null : !hex.equals(row[3])) {
        wrong++;
        LOG.warn(
            "document {}/{} of {} was changed outside this SDK (its digest is stale); the"
                + " digest exchange will compare it with the server",
            row[0],
            row[1],
            space);
        db.update(
            "UPDATE documents SET digest = ?, leaf = ? WHERE space = ? AND collection = ?"
                + " AND doc_id = ?",
            hex,
            digest == null ? null : DigestTree.leafOf(row[0], row[1]),
            space,
            row[0],
            row[1]);
      }
    }
    if (rows.size() < limit) {
      scrubbed.remove(space);
    } else {
      String[] last = rows.get(rows.size() - 1);
      scrubbed.put(space, new DocumentKey(space, last[0], last[1]));
    }
    return wrong;
  }

  /** The digest tree of {@code space}, from the stored digests. */
  SpaceDigest tree(String space) throws SQLException {
    SpaceDigest tree = new SpaceDigest();
    try (SqlRows rs =
        db.query(
            "SELECT collection, doc_id, digest FROM documents WHERE space = ? AND digest IS NOT NULL",
            space)) {
      while (rs.next()) {
        tree.add(rs.getString(1), rs.getString(2), DocDigest.parse(rs.getString(3)));
      }
    }
    return tree;
  }

  /** The documents of leaf {@code leaf} of {@code space} and their digests, in name order. */
  Map<DocumentKey, String> leaf(String space, int leaf, int limit) throws SQLException {
    Map<DocumentKey, String> docs = new LinkedHashMap<>();
    try (SqlRows rs =
        db.query(
            "SELECT collection, doc_id, digest FROM documents WHERE space = ? AND leaf = ?"
                + " AND digest IS NOT NULL ORDER BY collection, doc_id LIMIT ?",
            space,
            leaf,
            limit)) {
      while (rs.next()) {
        docs.put(new DocumentKey(space, rs.getString(1), rs.getString(2)), rs.getString(3));
      }
    }
    return docs;
  }

  /**
   * Repairs each document against the server's state: the local state becomes the server's joined
   * with this device's unacked changes of it and with the repair delta of its own lost writes
   * ({@link RepairDelta}, {@link RepairDelta.Scope#OWN_WRITES}: a damaged file never removes
   * anything on the server), which goes into the outbox as change {@code seq}, {@code seq + 1}...
   *
   * @return what was done; {@code nextSeq} of the result's caller advances by {@code repushed}
   */
  DigestRepair repair(
      String space,
      List<MessageParts.SnapshotDoc> docs,
      String replicaId,
      String predecessor,
      long seq,
      HybridClock clock,
      long now)
      throws SQLException {
    Lineage lineage = new Lineage(replicaId, predecessor == null ? Set.of() : Set.of(predecessor));
    List<DocumentKey> changed = new ArrayList<>();
    int repushed = 0;
    int foreign = 0;
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
      Document local = before == null ? new Document() : before;
      List<Dot> others = RepairDelta.foreignMissing(local, state, lineage);
      if (!others.isEmpty()) {
        foreign += others.size();
        LOG.warn(
            "document {}/{} of {} holds {} entries of other replicas the server never had"
                + " (such as {}); they are not pushed and are dropped locally",
            key.collection(),
            key.docId(),
            space,
            others.size(),
            others.get(0));
      }
      Document lost = RepairDelta.of(local, state, lineage, RepairDelta.Scope.OWN_WRITES);
      state.join(lost);
      boolean saved = false;
      if (!lost.isEmpty()) {
        try {
          changes.record(replicaId, seq + repushed, key, state, lost, clock.now(), now);
          repushed++;
          saved = true;
        } catch (IllegalArgumentException e) {
          LOG.warn(
              "the lost writes of {}/{} of {} cannot be pushed again ({}); kept locally only",
              key.collection(),
              key.docId(),
              space,
              e.getMessage());
        }
      }
      if (!state.equals(local)) {
        if (!saved) {
          documents.save(key, state);
        }
        changed.add(key);
      }
    }
    return new DigestRepair(changed, repushed, foreign);
  }
}
