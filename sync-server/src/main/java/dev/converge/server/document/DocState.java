package dev.converge.server.document;

import jakarta.persistence.Column;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** The merged state of one document: the join of every delta applied to it, encoded by the core codec. */
@Entity
@Table(name = "doc_state")
public class DocState {

  @EmbeddedId
  public DocKey key;

  /** The document state in the wire encoding (text keeps the codec's exact bytes). */
  @Column(name = "state", nullable = false)
  public String state;

  /** serverSeq of the last change applied to this document. */
  @Column(name = "head_seq", nullable = false)
  public long headSeq;

  @Column(name = "updated_at", nullable = false)
  public OffsetDateTime updatedAt;
}
