package dev.converge.core.protocol;

/**
 * Input that is not a valid encoding: says what was wrong and where, as a JSON path such as {@code
 * $.changesets[0].delta.s.items}. Nothing was built from the input.
 */
public final class DecodeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String reason;

  /** Creates the exception for the problem {@code reason} at {@code path}. */
  public DecodeException(String path, String reason) {
    super(path + ": " + reason);
    this.path = path;
    this.reason = reason;
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
