package dev.converge.core.protocol;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every {@code error.code} of the sync protocol, with what a client does about it. Server and SDK
 * share this one list, so a code cannot mean one thing on each side.
 *
 * <p>{@link Message.Error#code()} stays a string on the wire: a newer server may send a code this
 * build does not know, which {@link #fromWire(String)} reports as empty and clients treat as a
 * transient failure.
 */
public enum ErrorCode {
  /** A message that is not JSON. */
  MALFORMED("malformed", Handling.CONSUMED),
  /** A message type the server does not know. */
  UNKNOWN_TYPE("unknown_type", Handling.CONSUMED),
  /** Fields of the wrong type, missing, or out of range. */
  INVALID("invalid", Handling.CONSUMED),
  /** A protocol version the server does not speak. */
  PROTOCOL_VERSION("protocol_version", Handling.FATAL),
  /** A changeset whose seq skips numbers after the replica's last consumed seq. */
  SEQ_GAP("seq_gap", Handling.REKEY),
  /** Seqs in a push that do not strictly increase, or a re-push that differs from the first. */
  SEQ_REGRESSION("seq_regression", Handling.REKEY),
  /** A replica id bound to another token subject. */
  REPLICA_FORGED("replica_forged", Handling.REKEY),
  /** A space the token does not grant (whether it exists or not is never said). */
  FORBIDDEN_SPACE("forbidden_space", Handling.CONSUMED),
  /** A frame or push beyond the configured limits. */
  TOO_LARGE("too_large", Handling.CONSUMED),
  /** A store entry carries a dot of a replica that is not the pusher (nor its predecessor). */
  DOT_FORGED("dot_forged", Handling.CONSUMED),
  /** A store entry reuses a dot the document has already seen, with other content. */
  DOT_REUSED("dot_reused", Handling.CONSUMED),
  /** The causal context claims dots the document never saw and the changeset does not create. */
  CONTEXT_FORGED("context_forged", Handling.CONSUMED),
  /**
   * A counter increment beyond the configured bound, a pushed run of increments whose sum is beyond
   * its span times that bound, or a pushed run that cuts an entry the document holds.
   */
  OUT_OF_RANGE("out_of_range", Handling.CONSUMED),
  /**
   * A space the token grants for reading only: the member receives its changes but every write into
   * it is refused.
   */
  READ_ONLY("read_only", Handling.CONSUMED),
  /**
   * A write the collection's rules refuse: a field of a type the collection does not accept, or a
   * deployment's own write rule said no.
   */
  WRITE_REFUSED("write_refused", Handling.CONSUMED),
  /** A write that would take a document beyond its collection's maximum encoded size. */
  DOCUMENT_TOO_LARGE("document_too_large", Handling.CONSUMED),
  /** A write that would take a space's stored documents beyond the space's quota. */
  QUOTA_EXCEEDED("quota_exceeded", Handling.CONSUMED),
  /**
   * A push beyond a rate limit (the user's or a space's changesets per second): nothing of it was
   * consumed; push again, not before {@code retryAfterMs}.
   */
  RATE_LIMITED("rate_limited", Handling.RETRY),
  /** The session's token expired. */
  TOKEN_EXPIRED("token_expired", Handling.NEW_TOKEN),
  /** A token that fails verification. */
  TOKEN_INVALID("token_invalid", Handling.NEW_TOKEN),
  /** A message other than hello before hello. */
  HELLO_REQUIRED("hello_required", Handling.RETRY),
  /** A cursor older than the retained log on REST; use the snapshot endpoint. */
  SNAPSHOT_REQUIRED("snapshot_required", Handling.RETRY),
  /** A document too big for one WebSocket frame: the session cannot send the space's snapshot. */
  SNAPSHOT_TOO_LARGE("snapshot_too_large", Handling.RETRY),
  /**
   * A {@code fetch} naming more documents than the server serves at once, or whose documents
   * together exceed one frame's byte budget; {@code ref} is the fetch's ref. Nothing was sent: ask
   * for fewer documents (a lone document that does not fit cannot be fetched on this session).
   */
  FETCH_TOO_LARGE("fetch_too_large", Handling.RETRY),
  /**
   * A {@code hello} or {@code subscribe} that would have the session follow more spaces than {@code
   * converge.sync.max-spaces-per-session}: the spaces beyond the bound are not followed.
   */
  TOO_MANY_SPACES("too_many_spaces", Handling.CONSUMED),
  /** An unexpected server failure; nothing was changed. */
  INTERNAL("internal", Handling.RETRY);

  /** What a client does when it receives a code. */
  public enum Handling {
    /**
     * The changeset named by {@code ref} is consumed without being applied: the client quarantines
     * it and tells the app; the push queue moves on.
     */
    CONSUMED,
    /** The server disagrees with this replica id's history: take a new replica id. */
    REKEY,
    /** The token is no longer accepted: fetch a fresh one, then reconnect. */
    NEW_TOKEN,
    /** Transient: retry after a backoff (at least {@code retryAfterMs} when given). */
    RETRY,
    /** The client cannot go on with this server. */
    FATAL
  }

  private static final Map<String, ErrorCode> BY_WIRE =
      Arrays.stream(values())
          .collect(
              Collectors.collectingAndThen(
                  Collectors.toMap(c -> c.wire, Function.identity()),
                  Collections::unmodifiableMap));

  private final String wire;
  private final Handling handling;

  ErrorCode(String wire, Handling handling) {
    this.wire = wire;
    this.handling = handling;
  }

  /** Returns the code as sent in {@code error.code}. */
  public String wire() {
    return wire;
  }

  /** Returns what a client does about this code. */
  public Handling handling() {
    return handling;
  }

  /** Returns the code of a wire string, or empty for a code this build does not know. */
  public static Optional<ErrorCode> fromWire(String wire) {
    return Optional.ofNullable(BY_WIRE.get(wire));
  }

  /** Returns how a client handles a wire code; unknown codes are transient. */
  public static Handling handlingOf(String wire) {
    return fromWire(wire).map(ErrorCode::handling).orElse(Handling.RETRY);
  }

  @Override
  public String toString() {
    return wire;
  }
}
