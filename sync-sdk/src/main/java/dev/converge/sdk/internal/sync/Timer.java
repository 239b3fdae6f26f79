package dev.converge.sdk.internal.sync;

/** The timers the state machine sets; each is a key: setting one again replaces it. */
public sealed interface Timer {

  /** Connect again after the backoff. */
  record Reconnect() implements Timer {}

  /** Push again (and ask unanswered heads again) after a failed push, on the same session. */
  record PushRetry() implements Timer {}

  /**
   * The session opened by {@link Action.Open} must be welcomed by now; else it is abandoned and
   * retried (a connection or an upgrade the network swallowed never reports a failure).
   */
  record Handshake() implements Timer {}

  /** The session has stayed up long enough to forget the backoff. */
  record StableSession() implements Timer {}

  /** Fetch a fresh token before the session's one expires. */
  record TokenRefresh() implements Timer {}

  /** Report the stable points that rose while nothing was pushed ({@link StableReports}). */
  record StableReport() implements Timer {}

  /** Run a digest exchange (anti-entropy) if the session is caught up ({@code AntiEntropy}). */
  record Digest() implements Timer {}

  /** A {@code syncNow} waiter gives up. */
  record SyncTimeout(long waiter) implements Timer {}
}
