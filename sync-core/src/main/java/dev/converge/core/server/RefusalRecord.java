package dev.converge.core.server;

import java.util.Objects;

/**
 * A refusal as it is kept, so that a re-push of the same changeset gets the same answer and a
 * re-push of other content under its seq is recognised.
 *
 * @param replicaId the replica whose changeset was refused
 * @param seq the refused changeset's seq
 * @param code its error code in wire form
 * @param message what was wrong
 * @param contentHash the {@link ChangesetFingerprint} of the refused changeset, or null for a
 *     record kept before fingerprints were
 */
public record RefusalRecord(
    String replicaId, long seq, String code, String message, String contentHash) {
  /** Creates a record; only {@code contentHash} may be null. */
  public RefusalRecord {
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  /** Returns the refusal as the pusher is told it. */
  public Refusal refusal() {
    return new Refusal(seq, code, message);
  }
}
