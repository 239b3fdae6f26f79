package dev.converge.sdk.internal.store;

import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import java.sql.SQLException;
import java.util.List;

/**
 * Purging a space whose access was revoked: its documents and cursor are deleted and its unsent
 * changes move to the rejected ones with code {@value #REVOKED}. The caller decides, from {@link
 * #forgetsOwnDots}, whether the replica id must be retired too, and commits.
 */
final class SpacePurge {

  /**
   * The code of a change dropped by a revocation. The server never sends it: the local store sets
   * it.
   */
  static final String REVOKED = "revoked";

  private final DocumentTable documents;
  private final SpaceTable spaces;
  private final RejectedTable rejected;
  private final ReplicaLineage lineage;

  SpacePurge(
      DocumentTable documents, SpaceTable spaces, RejectedTable rejected, ReplicaLineage lineage) {
    this.documents = documents;
    this.spaces = spaces;
    this.rejected = rejected;
    this.lineage = lineage;
  }

  /** Whether purging {@code space} forgets dots {@code replicaId} made (ask before purging). */
  boolean forgetsOwnDots(String space, String replicaId) throws SQLException {
    return lineage.spaceMayHoldDotsOf(space, replicaId);
  }

  /** Purges {@code space}; the rejections name {@code replicaId}. */
  Purge purge(String space, String replicaId, long now) throws SQLException {
    List<DocumentKey> docs = documents.keysOf(space);
    documents.deleteSpace(space);
    spaces.delete(space);
    List<RejectedChange> moved =
        rejected.moveFromOutbox(
            "space = ?",
            new Object[] {space},
            replicaId,
            REVOKED,
            "access to space '" + space + "' was revoked",
            now);
    return new Purge(docs, moved, false);
  }
}
