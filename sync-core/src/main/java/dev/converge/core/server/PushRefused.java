package dev.converge.core.server;

import dev.converge.core.protocol.ErrorCode;
import java.util.Objects;

/**
 * A push refused as a whole: nothing of it may be applied, and the pusher is told {@code
 * error{code, message, ref}}.
 */
public final class PushRefused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final Long ref;

  /**
   * Creates the refusal.
   *
   * @param ref the offending changeset's seq, or null
   */
  public PushRefused(ErrorCode code, String message, Long ref) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
    this.ref = ref;
  }

  /** Returns why the push was refused. */
  public ErrorCode code() {
    return code;
  }

  /** Returns the offending changeset's seq, or null. */
  public Long ref() {
    return ref;
  }
}
