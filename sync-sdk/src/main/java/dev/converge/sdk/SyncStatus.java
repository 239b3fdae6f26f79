package dev.converge.sdk;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of the client's sync state, for the UI. Immutable.
 *
 * @param connection the link to the server
 * @param pendingChanges local changes not yet acknowledged by the server (outbox rows)
 * @param rejectedChanges local changes the server rejected, kept for the app (see {@link
 *     SyncClient#rejectedChanges()})
 * @param lastAckAt when the server last acknowledged changes of this client, or null if never in
 *     this process
 * @param spaces per subscribed space, how far behind the server it is
 * @param lastError the code of the last sync error not yet overcome (such as {@code internal} for a
 *     push the server could not apply, {@code token_expired}, or {@code handshake_timeout} for a
 *     connection that was not welcomed within 30 s and is retried), or null once changes flow
 *     again; {@link #lastErrorCode()} is its typed form
 * @param nextRetryAt when the client retries after that error (reconnects or pushes again): a
 *     future instant while the retry waits, a past one while it is under way; null once changes
 *     flow again or no retry is due. Together with {@code lastError} it says why pending changes
 *     are not moving
 * @param repairedDocuments how many documents a digest exchange (anti-entropy, docs/protocol-2.md
 *     "Digests") found different from the server's and repaired since the client started: the local
 *     file or the server had lost or damaged state, and it is whole again
 * @param foreignEntriesDropped how many entries of other replicas this device held that the server
 *     never had, found by digest exchanges since the client started: they are never pushed under
 *     this replica's name and were dropped locally (a non-zero value means the local file held
 *     writes that did not come from this server)
 */
public record SyncStatus(
    ConnectionState connection,
    long pendingChanges,
    long rejectedChanges,
    Instant lastAckAt,
    Map<String, SpaceStatus> spaces,
    String lastError,
    Instant nextRetryAt,
    long repairedDocuments,
    long foreignEntriesDropped) {

  /** Creates a status; the map is copied. */
  public SyncStatus {
    Objects.requireNonNull(connection, "connection");
    spaces = Map.copyOf(spaces);
  }

  /** Creates a status without repairs. */
  public SyncStatus(
      ConnectionState connection,
      long pendingChanges,
      long rejectedChanges,
      Instant lastAckAt,
      Map<String, SpaceStatus> spaces,
      String lastError,
      Instant nextRetryAt) {
    this(
        connection,
        pendingChanges,
        rejectedChanges,
        lastAckAt,
        spaces,
        lastError,
        nextRetryAt,
        0,
        0);
  }

  /** Creates a status with no retry waiting. */
  public SyncStatus(
      ConnectionState connection,
      long pendingChanges,
      long rejectedChanges,
      Instant lastAckAt,
      Map<String, SpaceStatus> spaces,
      String lastError) {
    this(connection, pendingChanges, rejectedChanges, lastAckAt, spaces, lastError, null);
  }

  /** Returns when the client retries (or last retried) after {@link #lastError()}, if it does. */
  public Optional<Instant> nextRetry() {
    return Optional.ofNullable(nextRetryAt);
  }

  /**
   * Returns the typed form of {@link #lastError()}: null exactly when {@code lastError} is null (no
   * error), {@link SyncErrorCode#OTHER} for a code this SDK does not know.
   */
  public SyncErrorCode lastErrorCode() {
    return SyncErrorCode.of(lastError);
  }

  /** Returns whether the client is connected and welcomed by the server. */
  public boolean online() {
    return connection == ConnectionState.ONLINE;
  }

  /** Returns when the server last acknowledged changes, if it did in this process. */
  public Optional<Instant> lastAck() {
    return Optional.ofNullable(lastAckAt);
  }
}
