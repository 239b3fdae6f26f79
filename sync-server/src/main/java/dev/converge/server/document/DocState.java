package dev.converge.server.document;

import jakarta.persistence.Column;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * The merged state of one document: the join of every delta applied to it, encoded by the core
 * codec.
 */
@Entity
@Table(name = "doc_state")
// Named, so Hibernate parses and checks them at boot rather than on an event loop at first use.
@NamedQuery(
    name = DocState.FIRST_PAGE,
    query = "from DocState d where d.key.space = :space order by d.key.collection, d.key.docId")
@NamedQuery(
    name = DocState.PAGE_AFTER,
    query =
        "from DocState d where d.key.space = :space"
            + " and (d.key.collection > :c or (d.key.collection = :c and d.key.docId > :d))"
            + " order by d.key.collection, d.key.docId")
@NamedQuery(
    name = DocState.DUE,
    query =
        "from DocState d where d.key.space = :space and d.compactDue <= :point"
            + " order by d.compactDue, d.key.collection, d.key.docId")
public class DocState {

  /**
   * The documents of {@code :space} due for counter compaction at compaction point {@code :point},
   * longest due first.
   */
  public static final String DUE = "DocState.due";

  /** The documents of {@code :space} in (collection, docId) order. */
  public static final String FIRST_PAGE = "DocState.firstPage";

  /**
   * The documents of {@code :space} after ({@code :c}, {@code :d}) in (collection, docId) order.
   */
  public static final String PAGE_AFTER = "DocState.pageAfter";

  @EmbeddedId public DocKey key;

  /** The document state in the wire encoding (text keeps the codec's exact bytes). */
  @Column(name = "state", nullable = false)
  public String state;

  /** serverSeq of the last change applied to this document. */
  @Column(name = "head_seq", nullable = false)
  public long headSeq;

  @Column(name = "updated_at", nullable = false)
  public OffsetDateTime updatedAt;

  /**
   * serverSeq of the first change counter compaction has not looked at yet, or null: the document
   * is due once the space's compaction point reaches it.
   */
  @Column(name = "compact_due")
  public Long compactDue;
}
