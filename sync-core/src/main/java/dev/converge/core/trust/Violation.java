package dev.converge.core.trust;

import java.util.Objects;

/**
 * Why a changeset breaks the trust boundary: a stable wire code and a message that says what was
 * wrong, for the {@code error} the pusher gets.
 *
 * @param code one of the {@code *} constants of this type, sent as {@code error.code}
 * @param message what was wrong, naming the dot, replica or amount
 */
public record Violation(String code, String message) {

  /** A store entry carries a dot of a replica that is not the pusher (nor its predecessor). */
  public static final String DOT_FORGED = "dot_forged";

  /** A store entry reuses a dot the document has already seen, with other content. */
  public static final String DOT_REUSED = "dot_reused";

  /** The causal context claims dots the document never saw and the changeset does not create. */
  public static final String CONTEXT_FORGED = "context_forged";

  /**
   * A counter increment beyond the configured bound, or a run of increments in a pushed store (a
   * run sums many increments in one entry; only the server forms runs).
   */
  public static final String OUT_OF_RANGE = "out_of_range";

  /** Creates a violation. */
  public Violation {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}
