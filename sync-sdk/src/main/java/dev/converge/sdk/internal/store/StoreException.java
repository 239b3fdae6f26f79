package dev.converge.sdk.internal.store;

/** The local store failed; translated to {@code SyncException(STORAGE)} at the API boundary. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
