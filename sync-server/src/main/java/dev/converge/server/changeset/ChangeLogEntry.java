package dev.converge.server.changeset;

import dev.converge.core.server.LogEntry;
import jakarta.persistence.Column;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** One applied changeset in its space's log, in serverSeq order. */
@Entity
@Table(name = "change_log")
// Named, so Hibernate parses and checks it at boot rather than on an event loop at first use.
@NamedQuery(
    name = ChangeLogEntry.AFTER_CURSOR,
    query =
        "from ChangeLogEntry e where e.key.space = :space and e.key.serverSeq > :since order by e.key.serverSeq")
@NamedQuery(
    name = ChangeLogEntry.PUSHED_ABOVE,
    query =
        "select e.key.serverSeq, e.collection, e.docId from ChangeLogEntry e"
            + " where e.key.space = :space and e.key.serverSeq > :point and e.replicaId <> :origin")
@NamedQuery(
    name = ChangeLogEntry.AT_SEQS,
    query = "from ChangeLogEntry e where e.key.space = :space and e.key.serverSeq in :seqs")
public class ChangeLogEntry {

  /**
   * (serverSeq, collection, docId) of every change of {@code :space} above {@code :point} whose
   * origin is not {@code :origin} (the compaction's).
   */
  public static final String PUSHED_ABOVE = "ChangeLogEntry.pushedAbove";

  /** The changes of {@code :space} at the serverSeqs {@code :seqs}. */
  public static final String AT_SEQS = "ChangeLogEntry.atSeqs";

  /** The changes of {@code :space} with serverSeq above {@code :since}, in order. */
  public static final String AFTER_CURSOR = "ChangeLogEntry.afterCursor";

  @EmbeddedId public ChangeLogKey key;

  @Column(name = "collection", nullable = false)
  public String collection;

  @Column(name = "doc_id", nullable = false)
  public String docId;

  @Column(name = "replica_id", nullable = false)
  public String replicaId;

  @Column(name = "seq", nullable = false)
  public long seq;

  /** The last seq the changeset covers; null in rows logged before ranges (then it is seq). */
  @Column(name = "to_seq")
  public Long toSeq;

  @Column(name = "hlc", nullable = false)
  public String hlc;

  /** The delta in the wire encoding. */
  @Column(name = "delta", nullable = false)
  public String delta;

  @Column(name = "committed_at", nullable = false)
  public OffsetDateTime committedAt;

  /** The log chain after this entry; null for entries logged before chains existed. */
  @Column(name = "chain", insertable = false, updatable = false)
  public String chain;

  /** Returns the entry as the server core sees it. */
  LogEntry entry() {
    return new LogEntry(
        key.space,
        key.serverSeq,
        collection,
        docId,
        replicaId,
        seq,
        hlc,
        delta,
        toSeq == null ? seq : toSeq);
  }
}
