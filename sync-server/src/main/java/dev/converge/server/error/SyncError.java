package dev.converge.server.error;

import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.server.PushRefused;

/**
 * A protocol-level refusal with a stable code, sent as {@code error{code, message, ref}} on the
 * WebSocket and as {@code {code, message}} with an HTTP status on REST. Nothing was changed. The
 * codes are {@link ErrorCode}s, shared with the SDK.
 */
public final class SyncError extends ApiException {
  private static final long serialVersionUID = 1L;

  private final Long ref;
  private final Long retryAfterMs;

  /** Creates an error; {@code ref} is the offending changeset seq, or null. */
  public SyncError(ErrorCode code, String message, Long ref) {
    this(code, message, ref, null);
  }

  /**
   * Creates an error with a retry hint.
   *
   * @param retryAfterMs when the client may try again, in milliseconds, or null
   */
  public SyncError(ErrorCode code, String message, Long ref, Long retryAfterMs) {
    super(statusOf(code), code.wire(), message);
    this.ref = ref;
    this.retryAfterMs = retryAfterMs;
  }

  /** Returns when the client may try again, in milliseconds, or null. */
  public Long retryAfterMs() {
    return retryAfterMs;
  }

  /** Creates an error without a ref. */
  public SyncError(ErrorCode code, String message) {
    this(code, message, null);
  }

  /**
   * Returns the answer to input that failed to decode, the same on REST and WebSocket: the code is
   * {@link DecodeException#code()}, the message names what and where.
   */
  public static SyncError of(DecodeException e) {
    return new SyncError(e.code(), e.getMessage());
  }

  /** Returns the answer to a push the server core refused as a whole. */
  public static SyncError of(PushRefused e) {
    return new SyncError(e.code(), e.getMessage(), e.ref());
  }

  /** Returns the offending seq, or null. */
  public Long ref() {
    return ref;
  }

  private static int statusOf(ErrorCode code) {
    return switch (code) {
      case FORBIDDEN_SPACE, REPLICA_FORGED -> 403;
      case SEQ_GAP, SEQ_REGRESSION -> 409;
      case SNAPSHOT_REQUIRED -> 410;
      case TOO_LARGE -> 413;
      case RATE_LIMITED -> 429;
      case TOKEN_EXPIRED, TOKEN_INVALID -> 401;
      case INTERNAL -> 500;
      default -> 400;
    };
  }
}
