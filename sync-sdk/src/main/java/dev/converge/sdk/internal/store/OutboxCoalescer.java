package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.storage.SqlDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins the never-sent outbox rows of one document with consecutive seqs into one row covering
 * their seq range (docs/protocol-2.md, "Seq ranges"; DESIGN §7): a device that wrote offline pushes
 * about one changeset per document run instead of one per write. A row once sent is frozen: the
 * rows up to the {@code outbox_sent_through} mark (meta table) are never joined, so a retry after a
 * lost ack carries the range and bytes of the first attempt. Callers run it inside their own
 * transaction.
 */
final class OutboxCoalescer {

  /** The meta key of the last seq ever put in a push frame. */
  static final String SENT_THROUGH = "outbox_sent_through";

  /** The most unsent rows one pass reads: bounds the work before a push. */
  static final int MAX_SCAN = 10_000;

  private final SqlDatabase db;
  private final ProtocolCodec codec;
  private final OutboxTable outbox;
  private final PushLimits limits;

  OutboxCoalescer(SqlDatabase db, ProtocolCodec codec, OutboxTable outbox) {
    this.db = db;
    this.codec = codec;
    this.outbox = outbox;
    this.limits = new PushLimits(codec);
  }

  /**
   * The last seq that was ever sent. A file that predates the mark may hold rows an older SDK sent:
   * all of them count as sent (the store calls this when it opens, before any write).
   */
  long sentThrough() throws SQLException {
    String value = MetaTable.get(db, SENT_THROUGH);
    if (value != null) {
      return Long.parseLong(value);
    }
    long last = Sql.queryLong(db, "SELECT coalesce(max(seq), 0) FROM outbox");
    MetaTable.put(db, SENT_THROUGH, Long.toString(last));
    return last;
  }

  /** Records that the rows up to {@code seq} were put in a push frame: they are frozen now. */
  void sent(long seq) throws SQLException {
    if (seq > sentThrough()) {
      MetaTable.put(db, SENT_THROUGH, Long.toString(seq));
    }
  }

  /** Forgets the mark: after a re-key no row was sent under the new replica id. */
  void reset() throws SQLException {
    MetaTable.put(db, SENT_THROUGH, "0");
  }

  /** Joins the runs of unsent rows of one document; returns how many rows were joined away. */
  int coalesce(String replicaId) throws SQLException {
    List<OutboxRow> rows = outbox.select("seq > ? ORDER BY seq LIMIT ?", sentThrough(), MAX_SCAN);
    ProtocolCodec stored = codec.forStoredData();
    int joined = 0;
    List<OutboxRow> run = new ArrayList<>();
    RunJoin join = new RunJoin();
    for (OutboxRow row : rows) {
      Document delta;
      try {
        delta = stored.decodeDocument(row.deltaJson());
      } catch (RuntimeException e) {
        // A row this build cannot read (a file edited by hand or an older build's): it is joined
        // with nothing, and the push's own checks set it aside.
        joined += flush(run, join, replicaId);
        run.clear();
        join = new RunJoin();
        continue;
      }
      if (run.isEmpty() || !continues(run, row) || !join.add(delta)) {
        joined += flush(run, join, replicaId);
        run.clear();
        join = new RunJoin();
        join.add(delta);
      }
      run.add(row);
    }
    joined += flush(run, join, replicaId);
    return joined;
  }

  /** Whether {@code row} extends the run: same document, the next seq, the range still bounded. */
  private static boolean continues(List<OutboxRow> run, OutboxRow row) {
    OutboxRow first = run.get(0);
    OutboxRow last = run.get(run.size() - 1);
    return row.key().equals(first.key())
        && row.seq() == last.toSeq() + 1
        && row.toSeq() - first.seq() < Changeset.MAX_RANGE;
  }

  /** Writes a run of two rows or more as one row carrying its range and its join. */
  private int flush(List<OutboxRow> run, RunJoin join, String replicaId) throws SQLException {
    if (run.size() < 2) {
      return 0;
    }
    OutboxRow first = run.get(0);
    OutboxRow last = run.get(run.size() - 1);
    Hlc hlc = Hlc.ZERO;
    long cursorAtWrite = Long.MAX_VALUE;
    for (OutboxRow row : run) {
      Hlc at = Hlc.parse(row.hlc());
      hlc = at.compareTo(hlc) > 0 ? at : hlc;
      // The joined context holds every change up to the least cursor of its parts.
      cursorAtWrite = Math.min(cursorAtWrite, row.cursorAtWrite());
    }
    String deltaJson = codec.encodeDocument(join.joined());
    String text =
        outbox.encode(
            replicaId,
            first.seq(),
            last.toSeq(),
            first.key(),
            hlc.toString(),
            deltaJson,
            // Vouched rows are a prefix: a run is vouched for if its first row is.
            outbox.resent(first.seq()));
    try {
      limits.check(text);
    } catch (IllegalArgumentException e) {
      return 0; // joined, it could not travel: its parts still can, one by one
    }
    outbox.coalesce(first.seq(), last.toSeq(), hlc.toString(), deltaJson, text, cursorAtWrite);
    return run.size() - 1;
  }
}
