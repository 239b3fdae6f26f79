package dev.converge.server.document;

/**
 * Checks stored document states ({@code doc_state}) against what the log says they are, and
 * rebuilds the wrong ones.
 */
public interface DocumentVerifier {

  /**
   * Verifies {@code docs} of {@code space}; returns the documents whose stored state was wrong and
   * has been rebuilt.
   */
  io.smallrye.mutiny.Uni<java.util.Set<DocKey>> verify(
      String space, java.util.Collection<DocKey> docs);
}
