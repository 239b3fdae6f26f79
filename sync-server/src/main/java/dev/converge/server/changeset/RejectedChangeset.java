package dev.converge.server.changeset;

import dev.converge.core.server.RefusalRecord;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/**
 * A changeset that was consumed without being applied (it failed validation against the stored
 * document). Kept so that a re-push of it gets the same answer again.
 */
@Entity
@Table(name = "rejected_changeset")
@IdClass(RejectedChangeset.Key.class)
public class RejectedChangeset {

  @Id
  @Column(name = "replica_id")
  public String replicaId;

  @Id
  @Column(name = "seq")
  public long seq;

  @Column(name = "code", nullable = false)
  public String code;

  @Column(name = "message", nullable = false)
  public String message;

  /**
   * {@link dev.converge.core.server.ChangesetFingerprint} of the refused changeset, or null for
   * rows refused before it was kept.
   */
  @Column(name = "content_hash")
  public String contentHash;

  /** Returns the row that keeps {@code record}. */
  static RejectedChangeset of(RefusalRecord record) {
    RejectedChangeset row = new RejectedChangeset();
    row.replicaId = record.replicaId();
    row.seq = record.seq();
    row.code = record.code();
    row.message = record.message();
    row.contentHash = record.contentHash();
    return row;
  }

  /** Returns the record this row keeps. */
  RefusalRecord record() {
    return new RefusalRecord(replicaId, seq, code, message, contentHash);
  }

  /** Composite key. */
  public static class Key implements Serializable {
    private static final long serialVersionUID = 1L;
    public String replicaId;
    public long seq;

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && replicaId.equals(k.replicaId) && seq == k.seq;
    }

    @Override
    public int hashCode() {
      return Objects.hash(replicaId, seq);
    }
  }
}
