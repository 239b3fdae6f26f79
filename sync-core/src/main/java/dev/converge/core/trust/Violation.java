package dev.converge.core.trust;

import dev.converge.core.protocol.ErrorCode;
import java.util.Objects;

/**
 * Why a changeset breaks the trust boundary: a stable wire code and a message that says what was
 * wrong, for the {@code error} the pusher gets.
 *
 * @param code one of {@link ErrorCode#DOT_FORGED}, {@link ErrorCode#DOT_REUSED}, {@link
 *     ErrorCode#CONTEXT_FORGED}, {@link ErrorCode#OUT_OF_RANGE}, {@link ErrorCode#INVALID} or
 *     {@link ErrorCode#REPLICA_FORGED}, sent as {@code error.code}
 * @param message what was wrong, naming the dot, replica or amount
 */
public record Violation(ErrorCode code, String message) {

  /** Creates a violation. */
  public Violation {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}
