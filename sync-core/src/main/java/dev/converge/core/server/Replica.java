package dev.converge.core.server;

import java.util.Objects;

/**
 * What the server knows of a pushing replica: the token subject that owns its id and the last seq
 * it consumed (applied or refused), 0 for none.
 *
 * @param replicaId the replica
 * @param ownerSubject the token subject that first used the id
 * @param lastSeq the last consumed seq
 */
public record Replica(String replicaId, String ownerSubject, long lastSeq) {
  /** Creates a replica record. */
  public Replica {
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(ownerSubject, "ownerSubject");
  }
}
