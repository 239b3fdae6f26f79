package dev.converge.sdk;

/** The state of the client's link to the server. */
public enum ConnectionState {
  /** No server configured: the client works locally only. */
  LOCAL_ONLY,
  /**
   * Not syncing because the app has not called {@link SyncClient#connect()} yet, or called {@link
   * SyncClient#disconnect()}; reads and writes work locally.
   */
  DISCONNECTED,
  /** Not connected; a connection attempt is scheduled (after a backoff) or under way. */
  OFFLINE,
  /** Connected and welcomed by the server: changes flow both ways. */
  ONLINE,
  /** Paused by the app through {@link SyncClient#pause()}. */
  PAUSED,
  /** The server refused a freshly supplied token, or the supplier failed; retried with backoff. */
  AUTH_FAILED,
  /** The client was closed. */
  CLOSED
}
