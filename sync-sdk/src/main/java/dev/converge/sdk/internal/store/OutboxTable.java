package dev.converge.sdk.internal.store;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code outbox} table: local changes not yet acknowledged, by seq. Callers run it inside their
 * own transaction.
 *
 * <p>Each row keeps its push-ready changeset text (column {@code changeset}) beside its delta: the
 * delta is encoded once, at the write, and spliced into that text; a push splices the text into its
 * frame. So a write is encoded once on the device, and a retry after a lost ack sends the very
 * bytes of the first attempt (DESIGN §7). The delta column stays for the rejected changes and for
 * the re-key, which rewrites the text under the new replica id and seq.
 */
final class OutboxTable {

  private static final String COLUMNS =
      "seq, space, collection, doc_id, hlc, delta, cursor_at_write, changeset";

  private static final Logger LOG = LoggerFactory.getLogger(OutboxTable.class);

  private final SqlDatabase db;
  private final ProtocolCodec codec;

  OutboxTable(SqlDatabase db, ProtocolCodec codec) {
    this.db = db;
    this.codec = codec;
  }

  /** The push-ready text of a change: its delta text spliced into the changeset, not re-encoded. */
  String encode(String replicaId, long seq, DocumentKey key, String hlc, String deltaJson) {
    return encode(replicaId, seq, seq, key, hlc, deltaJson);
  }

  /** The push-ready text of the changes {@code seq..toSeq} of one document, joined. */
  String encode(
      String replicaId, long seq, long toSeq, DocumentKey key, String hlc, String deltaJson) {
    return encode(replicaId, seq, toSeq, key, hlc, deltaJson, false);
  }

  /**
   * The push-ready text of the changes {@code seq..toSeq} of one document, marked {@code resend}
   * when a re-key vouched for the row ({@link Redelivery}).
   */
  String encode(
      String replicaId,
      long seq,
      long toSeq,
      DocumentKey key,
      String hlc,
      String deltaJson,
      boolean resend) {
    return codec.encodeChangeset(
        new Changeset.Header(
            replicaId,
            seq,
            key.space(),
            key.collection(),
            key.docId(),
            Hlc.parse(hlc),
            toSeq,
            resend),
        deltaJson);
  }

  /** Whether the row {@code seq} is one a re-key vouched for: its pushes are marked resent. */
  boolean resent(long seq) throws SQLException {
    return seq <= ReplicaLineage.resendThrough(db);
  }

  /**
   * Makes row {@code seq} the join of the rows {@code seq..toSeq} (never sent, one document): its
   * delta, hlc and text are replaced, the rows after it deleted.
   */
  void coalesce(
      long seq, long toSeq, String hlc, String deltaJson, String changesetJson, long cursorAtWrite)
      throws SQLException {
    // The joined row is unfolded if any part was (PendingStates): folding a part twice is harmless.
    db.update(
        "UPDATE outbox SET delta = ?, hlc = ?, changeset = ?, cursor_at_write = ?, folded ="
            + " (SELECT min(folded) FROM outbox WHERE seq >= ? AND seq <= ?) WHERE seq = ?",
        deltaJson,
        hlc,
        changesetJson,
        cursorAtWrite,
        seq,
        toSeq,
        seq);
    db.update("DELETE FROM outbox WHERE seq > ? AND seq <= ?", seq, toSeq);
  }

  /**
   * Appends a row and returns it; {@code cursorAtWrite} is the cursor of the row's space in the
   * same transaction, {@code changesetJson} its {@link #encode push-ready text}.
   */
  OutboxRow insert(
      long seq,
      DocumentKey key,
      String hlc,
      String deltaJson,
      String changesetJson,
      long createdAt,
      long cursorAtWrite,
      boolean folded)
      throws SQLException {
    db.update(
        "INSERT INTO outbox (seq, space, collection, doc_id, hlc, delta, created_at,"
            + " cursor_at_write, changeset, folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        seq,
        key.space(),
        key.collection(),
        key.docId(),
        hlc,
        deltaJson,
        createdAt,
        cursorAtWrite,
        changesetJson,
        folded ? 1 : 0);
    return new OutboxRow(
        seq,
        key,
        hlc,
        deltaJson,
        cursorAtWrite,
        changesetJson,
        OutboxRow.toSeqOf(changesetJson, seq));
  }

  /**
   * Rewrites every row's push-ready text under {@code replicaId} and the row's seq, splicing its
   * delta as it is: after a re-key renumbered the rows, and once for rows an older schema stored
   * without the text. Returns how many rows were rewritten.
   */
  int respliceAll(String replicaId) throws SQLException {
    List<OutboxRow> rows = select("1 = 1 ORDER BY seq");
    long resendThrough = ReplicaLineage.resendThrough(db);
    for (OutboxRow row : rows) {
      db.update(
          "UPDATE outbox SET changeset = ? WHERE seq = ?",
          encode(
              replicaId,
              row.seq(),
              row.seq(),
              row.key(),
              row.hlc(),
              row.deltaJson(),
              row.seq() <= resendThrough),
          row.seq());
    }
    return rows.size();
  }

  /**
   * Up to {@code limit} rows with seq above {@code afterSeq}, in seq order, each with a push-ready
   * text that names {@code replicaId} and the row's seq. A row whose text names others (a file
   * edited or restored by hand: the seq and the text were written together) gets its text again
   * from its columns, delta bytes kept: the seq column is what acks delete by, so the push must
   * carry it.
   */
  List<OutboxRow> after(long afterSeq, int limit, String replicaId) throws SQLException {
    List<OutboxRow> rows = select("seq > ? ORDER BY seq LIMIT ?", afterSeq, limit);
    for (int i = 0; i < rows.size(); i++) {
      OutboxRow row = rows.get(i);
      String head =
          "{\"replicaId\":"
              + codec.encodeJson(TextNode.valueOf(replicaId))
              + ",\"seq\":"
              + row.seq()
              + ",";
      if (!row.changesetJson().startsWith(head)) {
        String text =
            encode(
                replicaId,
                row.seq(),
                row.toSeq(),
                row.key(),
                row.hlc(),
                row.deltaJson(),
                resent(row.seq()));
        db.update("UPDATE outbox SET changeset = ? WHERE seq = ?", text, row.seq());
        LOG.warn(
            "outbox row {} named another replica id or seq; its changeset was rewritten",
            row.seq());
        rows.set(
            i,
            new OutboxRow(
                row.seq(),
                row.key(),
                row.hlc(),
                row.deltaJson(),
                row.cursorAtWrite(),
                text,
                row.toSeq()));
      }
    }
    return rows;
  }

  /** The rows matching {@code where} (an SQL condition and order), with its parameters. */
  List<OutboxRow> select(String where, Object... args) throws SQLException {
    List<OutboxRow> rows = new ArrayList<>();
    try (SqlRows rs = db.query("SELECT " + COLUMNS + " FROM outbox WHERE " + where, args)) {
      while (rs.next()) {
        long seq = rs.getLong(1);
        String text = rs.getString(8);
        rows.add(
            new OutboxRow(
                seq,
                new DocumentKey(rs.getString(2), rs.getString(3), rs.getString(4)),
                rs.getString(5),
                rs.getString(6),
                rs.getLong(7),
                text,
                OutboxRow.toSeqOf(text, seq)));
      }
    }
    return rows;
  }

  /**
   * The local changes not yet acknowledged, counting each seq a joined row covers: a row joined
   * from several writes still stands for all of them. The outbox's seqs are contiguous (the server
   * refuses a gap, and every path that takes rows out re-keys), so they run from the first row's
   * seq to the last row's {@code toSeq}. Two lookups on the key, never a scan: the status asks
   * after every write, however many wait.
   */
  long changeCount() throws SQLException {
    List<OutboxRow> last = select("seq = (SELECT max(seq) FROM outbox)");
    // Rows never overlap, so the range never counts fewer changes than there are rows.
    return last.isEmpty() ? 0 : last.get(0).toSeq() - firstSeq() + 1;
  }

  /** The number of rows of {@code space}. */
  long count(String space) throws SQLException {
    return Sql.queryLong(db, "SELECT count(*) FROM outbox WHERE space = ?", space);
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
