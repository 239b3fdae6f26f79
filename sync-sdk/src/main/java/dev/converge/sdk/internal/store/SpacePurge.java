package dev.converge.sdk.internal.store;

import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import java.sql.SQLException;
import java.util.List;

/**
 * Purging a space whose access was revoked: its documents, cursor and pending re-reads are deleted
 * and its unsent changes move to the rejected ones with code {@value #REVOKED}. The caller commits,
 * then retires the replica id when the purge says so ({@link Purge#rekeyed()}).
 */
final class SpacePurge {

  /**
   * The code of a change dropped by a revocation. The server never sends it: the local store sets
   * it.
   */
  static final String REVOKED = "revoked";

  /** The code of an unsent change the app dropped by unsubscribing from its space. */
  static final String UNSUBSCRIBED = "unsubscribed";

  private final DocumentTable documents;
  private final SpaceTable spaces;
  private final RejectedTable rejected;
  private final ReplicaLineage lineage;
  private final RereadTable rereads;

  SpacePurge(
      DocumentTable documents,
      SpaceTable spaces,
      RejectedTable rejected,
      ReplicaLineage lineage,
      RereadTable rereads) {
    this.documents = documents;
    this.spaces = spaces;
    this.rejected = rejected;
    this.lineage = lineage;
    this.rereads = rereads;
  }

  /**
   * Purges {@code space}; the rejections name {@code replicaId}. The result's {@link
   * Purge#rekeyed()} says that the caller must retire {@code replicaId} once this has committed.
   */
  Purge purge(String space, String replicaId, long now) throws SQLException {
    return purge(space, replicaId, now, false);
  }

  /**
   * Purges {@code space} as {@link #purge(String, String, long)} does; {@code unsubscribed} says
   * the app dropped the space (code {@value #UNSUBSCRIBED}) rather than the server revoking it.
   */
  Purge purge(String space, String replicaId, long now, boolean unsubscribed) throws SQLException {
    // Asked before the documents go: their contexts say whether this id made dots there.
    boolean forgetsOwnDots = lineage.spaceMayHoldDotsOf(space, replicaId);
    List<DocumentKey> docs = documents.keysOf(space);
    documents.deleteSpace(space);
    spaces.delete(space);
    rereads.deleteSpace(space);
    List<RejectedChange> moved =
        rejected.moveFromOutbox(
            "space = ?",
            new Object[] {space},
            replicaId,
            unsubscribed ? UNSUBSCRIBED : REVOKED,
            unsubscribed
                ? "the app unsubscribed from space '" + space + "' before this change was sent"
                : "access to space '" + space + "' was revoked",
            now);
    // Dots are numbered per document from what its context remembers: once its documents are gone,
    // this id would mint dots it already used (the server would drop or mis-join them). Removed
    // seqs would also leave a hole (seq_gap). Retiring the id avoids both; unsent rows are kept.
    return new Purge(docs, moved, forgetsOwnDots || !moved.isEmpty());
  }
}
