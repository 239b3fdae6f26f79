package dev.converge.sdk;

import java.util.Locale;

/**
 * Why sync is held up ({@link SyncStatus#lastErrorCode()}): the typed form of {@link
 * SyncStatus#lastError()}, so apps switch on constants rather than strings. It holds every error
 * code the server can send (docs/protocol-2.md) and the conditions the SDK reports itself. New
 * constants may be added; a code this SDK does not know is {@link #OTHER} (its text stays in {@link
 * SyncStatus#lastError()}).
 */
public enum SyncErrorCode {
  /** The server could not decode a message (or the SDK could not decode the server's). */
  MALFORMED,
  /** The server did not know a message type. */
  UNKNOWN_TYPE,
  /** The server found a message invalid. */
  INVALID,
  /** The server does not speak this SDK's protocol version. */
  PROTOCOL_VERSION,
  /** The server saw a gap in this replica's seqs (the SDK takes a new replica id). */
  SEQ_GAP,
  /** The server saw this replica's seqs go back (the SDK takes a new replica id). */
  SEQ_REGRESSION,
  /** The replica id is bound to another user (the SDK takes a new replica id). */
  REPLICA_FORGED,
  /** The token does not grant a space. */
  FORBIDDEN_SPACE,
  /** A frame or push beyond the server's limits, or a session closed for a too big message. */
  TOO_LARGE,
  /** A change carried a dot of another replica (trust boundary). */
  DOT_FORGED,
  /** A change reused a dot with other content (trust boundary). */
  DOT_REUSED,
  /** A change's causal context claimed dots the server never saw (trust boundary). */
  CONTEXT_FORGED,
  /** A counter increment beyond the server's bound. */
  OUT_OF_RANGE,
  /** A write into a space the token grants for reading only. */
  READ_ONLY,
  /** A write the collection's rules refused. */
  WRITE_REFUSED,
  /** A write that would take a document beyond its collection's size bound. */
  DOCUMENT_TOO_LARGE,
  /** A write that would take a space beyond its quota. */
  QUOTA_EXCEEDED,
  /** Pushes beyond a rate limit: the client pushes again later. */
  RATE_LIMITED,
  /** The session's token expired: the client asks the app's supplier for a fresh one. */
  TOKEN_EXPIRED,
  /** The token failed verification, or the server closed the session for its token. */
  TOKEN_INVALID,
  /** The server wanted a hello first. */
  HELLO_REQUIRED,
  /** A cursor older than the server's retained log. */
  SNAPSHOT_REQUIRED,
  /** A document too big for one frame: the server cannot send the space's snapshot. */
  SNAPSHOT_TOO_LARGE,
  /** A fetch of more documents than the server serves at once. */
  FETCH_TOO_LARGE,
  /** More spaces than the server follows on one session. */
  TOO_MANY_SPACES,
  /** An unexpected server failure, or a push the server could not apply. */
  INTERNAL,
  /** A connection not welcomed by the server in time (set by the SDK; it retries). */
  HANDSHAKE_TIMEOUT,
  /** The app's {@link TokenSupplier} failed (set by the SDK; it retries). */
  TOKEN_SUPPLIER_FAILED,
  /** The server closed the session because this client read too slowly (it reconnects). */
  TOO_SLOW,
  /** The server closed the session for a protocol violation (it reconnects). */
  PROTOCOL,
  /**
   * The server refused the session: the user already holds the most sessions a server node allows
   * ({@code converge.sync.max-connections-per-user}); the SDK retries with backoff.
   */
  TOO_MANY_CONNECTIONS,
  /** A code this SDK does not know. */
  OTHER;

  /**
   * Returns the constant of a status error code ({@code rate_limited} is {@link #RATE_LIMITED}),
   * {@link #OTHER} for a code this SDK does not know, or null for null (no error).
   */
  public static SyncErrorCode of(String code) {
    if (code == null) {
      return null;
    }
    for (SyncErrorCode value : values()) {
      if (value != OTHER && value.name().toLowerCase(Locale.ROOT).equals(code)) {
        return value;
      }
    }
    return OTHER;
  }
}
