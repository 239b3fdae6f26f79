package dev.converge.server.space;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * The serverSeq counter of one space. Its row is locked by every transaction that appends to the
 * space's log, which makes commit order equal serverSeq order: a reader never finds a change
 * committed behind its cursor.
 */
@Entity
@Table(name = "space_seq")
// Named, so Hibernate parses and checks it at boot rather than on an event loop at first use.
@NamedQuery(
    name = SpaceSeq.RETAINED_CHANGES,
    query = "select coalesce(sum(s.head - s.retainedAfter), 0L) from SpaceSeq s")
public class SpaceSeq {

  /** How many changes the log of all spaces holds. */
  public static final String RETAINED_CHANGES = "SpaceSeq.retainedChanges";

  @Id
  @Column(name = "space")
  public String space;

  /** Greatest serverSeq allocated (and, once the transaction commits, committed). */
  @Column(name = "head", nullable = false)
  public long head;

  /** serverSeqs at or below this were compacted from the log; older cursors get a snapshot. */
  @Column(name = "retained_after", nullable = false)
  public long retainedAfter;

  /**
   * The greatest compaction point at which a document of the space was compacted (bounded
   * counters); a session that starts following from a cursor below it gets a snapshot.
   */
  @Column(name = "compacted_through", nullable = false)
  public long compactedThrough;

  /**
   * The UTF-8 bytes of the space's stored document states together: what the space quota ({@code
   * converge.limits.max-space-bytes}) is checked against. Kept by every push and compaction.
   */
  @Column(name = "stored_bytes", nullable = false)
  public long storedBytes;

  /**
   * The log chain at {@code head} (docs/protocol-2.md "Log epoch"). Read-only here: only the log's
   * writer moves it, with the rows it appends.
   */
  @Column(name = "chain", insertable = false, updatable = false)
  public String chain;

  /** The log chain at {@code retained_after}, or null when unknown. Read-only here. */
  @Column(name = "retained_chain", insertable = false, updatable = false)
  public String retainedChain;
}
