package dev.converge.core.protocol;

/**
 * Input that is not a valid encoding: says what was wrong and where, as a JSON path such as {@code
 * $.changesets[0].delta.s.items}. Nothing was built from the input.
 */
public final class DecodeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of problem the input has. */
  public enum Kind {
    /** Not JSON at all, or empty. */
    MALFORMED,
    /** A message type this protocol version does not know. */
    UNKNOWN_TYPE,
    /** Beyond a size, length or depth limit of {@link CodecLimits}. */
    LIMIT,
    /** JSON, but a field is missing, of the wrong type, or out of range. */
    INVALID
  }

  private final String path;
  private final String reason;
  private final Kind kind;

  /** Creates the exception for the invalid input {@code reason} at {@code path}. */
  public DecodeException(String path, String reason) {
    this(Kind.INVALID, path, reason);
  }

  /** Creates the exception for a problem of {@code kind}. */
  public DecodeException(Kind kind, String path, String reason) {
    super(path + ": " + reason);
    this.kind = kind;
    this.path = path;
    this.reason = reason;
  }

  /**
   * Returns the error code a receiver answers this failure with, the same on every endpoint: {@code
   * malformed}, {@code unknown_type}, {@code too_large} for a broken limit, else {@code invalid}.
   */
  public ErrorCode code() {
    return switch (kind) {
      case MALFORMED -> ErrorCode.MALFORMED;
      case UNKNOWN_TYPE -> ErrorCode.UNKNOWN_TYPE;
      case LIMIT -> ErrorCode.TOO_LARGE;
      case INVALID -> ErrorCode.INVALID;
    };
  }

  /** Returns the kind of problem. */
  public Kind kind() {
    return kind;
  }

  /** Returns the JSON path of the offending part ({@code $} for the whole input). */
  public String path() {
    return path;
  }

  /** Returns what was wrong, without the path. */
  public String reason() {
    return reason;
  }
}
