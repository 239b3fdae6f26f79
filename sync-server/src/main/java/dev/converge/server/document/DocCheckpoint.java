package dev.converge.server.document;

import jakarta.persistence.Column;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/**
 * A document's checkpoint: its state as the join of its log entries up to {@code serverSeq}
 * (docs/architecture.md, "Checkpoints and rebuild"). Written by {@link CheckpointVerifier} only.
 */
@Entity
@Table(name = "doc_checkpoint")
public class DocCheckpoint {

  @EmbeddedId public DocKey key;

  /** The serverSeq up to which the state holds the document's log entries. */
  @Column(name = "server_seq", nullable = false)
  public long serverSeq;

  /** The state, in the wire encoding. */
  @Column(name = "state", nullable = false)
  public String state;
}
