package dev.converge.server.error;

/**
 * A failure the server reports to the client as {@code {code, message}} with an HTTP status.
 * Services throw it; {@link ErrorMapper} renders it.
 */
public class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  /**
   * Creates the exception.
   *
   * @param status the HTTP status, 400 to 599
   * @param code the stable error code
   * @param message the human message
   * @throws IllegalArgumentException if {@code status} is not an error status
   */
  public ApiException(int status, String code, String message) {
    super(message);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status not in 400..599: " + status);
    }
    this.status = status;
    this.code = code;
  }

  /** Returns the HTTP status. */
  public int status() {
    return status;
  }

  /** Returns the stable error code. */
  public String code() {
    return code;
  }
}
