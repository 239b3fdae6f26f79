package dev.converge.sdk.internal.store;

/**
 * The persisted identity of this replica.
 *
 * @param replicaId the current replica id
 * @param nextSeq the seq the next local change gets
 * @param rekeys how many times this store re-keyed (new replica id) since it was created
 */
public record ReplicaInfo(String replicaId, long nextSeq, long rekeys) {
  /** Returns the greatest seq issued so far (0 if none). */
  public long lastIssuedSeq() {
    return nextSeq - 1;
  }
}
