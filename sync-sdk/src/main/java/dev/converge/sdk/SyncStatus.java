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
 * @param lastError the code of the last sync error (such as {@code token_expired}), or null
 */
public record SyncStatus(
    ConnectionState connection,
    long pendingChanges,
    long rejectedChanges,
    Instant lastAckAt,
    Map<String, SpaceStatus> spaces,
    String lastError) {

  /** Creates a status; the map is copied. */
  public SyncStatus {
    Objects.requireNonNull(connection, "connection");
    spaces = Map.copyOf(spaces);
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
