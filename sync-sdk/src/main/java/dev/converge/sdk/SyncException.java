package dev.converge.sdk;

import java.util.Objects;

/**
 * The one exception the SDK throws: a stable machine-readable {@link Code} plus a human message.
 * Internal failures (SQLite, codec, network) are translated into it at the API boundary, with the
 * original exception as the cause.
 *
 * <p>Immutable and thread-safe.
 */
public final class SyncException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Stable error codes; new codes may be added, existing ones keep their meaning. */
  public enum Code {
    /** An argument broke a documented condition; the message names it. */
    INVALID_ARGUMENT,
    /** The client was closed. */
    CLOSED,
    /** The local database could not be opened, read or written. */
    STORAGE,
    /** The token supplier failed, or the server refused a freshly supplied token. */
    AUTH_FAILED,
    /** A {@link SyncClient#syncNow(java.time.Duration)} did not complete in time. */
    TIMEOUT,
    /**
     * The server rejected a change the caller waited for; see {@link SyncClient#rejectedChanges()}.
     */
    REJECTED,
    /**
     * Local changes not yet acknowledged by the server stand in the way of {@link
     * SyncClient#clearLocalData} or {@link SyncClient#unsubscribe}: sync first, or pass {@link
     * UnsentChanges#DISCARD}.
     */
    UNSENT_CHANGES,
    /** An unexpected internal failure (a bug); the cause tells more. */
    INTERNAL
  }

  private final Code code;

  /** Creates an exception with a code and a message saying what went wrong. */
  public SyncException(Code code, String message) {
    this(code, message, null);
  }

  /** Creates an exception with a code, a message and the underlying cause. */
  public SyncException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** Returns the stable error code. */
  public Code code() {
    return code;
  }

  @Override
  public String toString() {
    return "SyncException[" + code + "]: " + getMessage();
  }
}
