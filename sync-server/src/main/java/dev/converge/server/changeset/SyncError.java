package dev.converge.server.changeset;

import dev.converge.server.error.ApiException;

/**
 * A protocol-level refusal with a stable code, sent as {@code error{code, message, ref}} on the
 * WebSocket and as {@code {code, message}} with an HTTP status on REST. Nothing was changed.
 */
public final class SyncError extends ApiException {
  private static final long serialVersionUID = 1L;

  /** A message that is not JSON. */
  public static final String MALFORMED = "malformed";

  /** A message type the server does not know. */
  public static final String UNKNOWN_TYPE = "unknown_type";

  /** Fields of the wrong type, missing, or out of range. */
  public static final String INVALID = "invalid";

  /** A protocol version the server does not speak. */
  public static final String PROTOCOL_VERSION = "protocol_version";

  /** A changeset whose seq skips numbers after the replica's last consumed seq. */
  public static final String SEQ_GAP = "seq_gap";

  /** Seqs in a push that do not strictly increase. */
  public static final String SEQ_REGRESSION = "seq_regression";

  /** A replica id bound to another token subject. */
  public static final String REPLICA_FORGED = "replica_forged";

  /** A space the token does not grant (whether it exists or not is never said). */
  public static final String FORBIDDEN_SPACE = "forbidden_space";

  /** A frame or push beyond the configured limits. */
  public static final String TOO_LARGE = "too_large";

  /** The session's token expired. */
  public static final String TOKEN_EXPIRED = "token_expired";

  /** A token that fails verification. */
  public static final String TOKEN_INVALID = "token_invalid";

  /** A message other than hello before hello. */
  public static final String HELLO_REQUIRED = "hello_required";

  /** A cursor older than the retained log on REST; use the snapshot endpoint. */
  public static final String SNAPSHOT_REQUIRED = "snapshot_required";

  /** A document too big for one WebSocket frame: the session cannot send the space's snapshot. */
  public static final String SNAPSHOT_TOO_LARGE = "snapshot_too_large";

  /** An unexpected server failure. */
  public static final String INTERNAL = "internal";

  private final Long ref;

  /** Creates an error; {@code ref} is the offending changeset seq, or null. */
  public SyncError(String code, String message, Long ref) {
    super(statusOf(code), code, message);
    this.ref = ref;
  }

  /** Creates an error without a ref. */
  public SyncError(String code, String message) {
    this(code, message, null);
  }

  /** Returns the offending seq, or null. */
  public Long ref() {
    return ref;
  }

  private static int statusOf(String code) {
    return switch (code) {
      case FORBIDDEN_SPACE, REPLICA_FORGED -> 403;
      case SEQ_GAP, SEQ_REGRESSION -> 409;
      case SNAPSHOT_REQUIRED -> 410;
      case TOO_LARGE -> 413;
      case TOKEN_EXPIRED, TOKEN_INVALID -> 401;
      case INTERNAL -> 500;
      default -> 400;
    };
  }
}
