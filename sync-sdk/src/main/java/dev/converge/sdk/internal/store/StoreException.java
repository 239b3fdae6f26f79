package dev.converge.sdk.internal.store;

import java.sql.SQLException;

/** The local store failed; translated to {@code SyncException(STORAGE)} at the API boundary. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The local database {@code file} could not be opened, read or migrated. */
  public static StoreException cannotOpen(Object file, SQLException e) {
    String hint =
        e.getMessage() != null && e.getMessage().contains("SQLITE_BUSY")
            ? " (is another client using this file?)"
            : "";
    return new StoreException(
        "cannot open the local database " + file + hint + ": " + e.getMessage(), e);
  }
}
