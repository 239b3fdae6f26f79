package dev.converge.server.changeset;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The last seq consumed (applied or rejected) of one replica, and the subject that owns the replica
 * id.
 */
@Entity
@Table(name = "replica_progress")
public class ReplicaProgress {

  @Id
  @Column(name = "replica_id")
  public String replicaId;

  @Column(name = "owner_subject", nullable = false)
  public String ownerSubject;

  @Column(name = "last_seq", nullable = false)
  public long lastSeq;

  /** The replica this one succeeds after a re-key (same owner), or null. */
  @Column(name = "predecessor")
  public String predecessor;

  /**
   * Whether another replica of the owner declared this one as its predecessor (V11): a copy of its
   * database may have delivered its earlier writes.
   */
  @Column(name = "succeeded", nullable = false)
  public boolean succeeded;
}
