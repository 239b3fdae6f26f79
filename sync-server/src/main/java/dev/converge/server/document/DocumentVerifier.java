package dev.converge.server.document;

import io.smallrye.mutiny.Uni;
import java.util.Collection;
import java.util.Set;

/**
 * Checks the server's own stored state of documents a digest exchange found divergent, before the
 * server serves that state as the truth: an implementation rebuilds each document from what it
 * trusts more than {@code doc_state} (a checkpoint plus the log after it) and repairs the row.
 *
 * <p>{@link CheckpointVerifier} is the implementation; it also serves the periodic scrub.
 * Implementations must be thread-safe and run on a Vert.x context.
 */
public interface DocumentVerifier {

  /**
   * Verifies the stored state of {@code docs} of {@code space}.
   *
   * @return the documents whose stored state was wrong and has been rebuilt (empty if none)
   */
  Uni<Set<DocKey>> verify(String space, Collection<DocKey> docs);
}
