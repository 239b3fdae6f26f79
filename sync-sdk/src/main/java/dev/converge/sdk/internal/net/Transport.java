package dev.converge.sdk.internal.net;

import java.net.URI;

/**
 * Opens WebSocket sessions to the sync server. The engine talks only to this interface, so tests
 * can put an in-process fake server behind it.
 */
public interface Transport {

  /**
   * Starts connecting to {@code uri} with {@code Authorization: Bearer <token>}. Returns at once;
   * the outcome arrives through {@code listener}, on a thread of the transport.
   */
  Session open(URI uri, String token, Listener listener);

  /** Releases the transport's threads and connections. */
  default void shutdown() {}

  /** One WebSocket session. Thread-safe. */
  interface Session {
    /** Queues a text frame; returns false if the session is closing or closed. */
    boolean send(String text);

    /** Starts a graceful close with a WebSocket close code. */
    void close(int code, String reason);
  }

  /**
   * Events of a session. Exactly one of {@link #onClosed} and {@link #onFailure} ends a session.
   */
  interface Listener {
    /** The upgrade succeeded. */
    void onOpen();

    /**
     * A text frame arrived. May wait while the client is behind with the frames before it (its
     * inbound bound): the transport calls it on a reader thread of its own, which then stops
     * reading the socket.
     */
    void onText(String text);

    /** The peer closed the session with {@code code}. */
    void onClosed(int code, String reason);

    /**
     * The connection failed; {@code httpStatus} is the refused upgrade's status (such as 401), or 0
     * if no HTTP response was received.
     */
    void onFailure(Throwable error, int httpStatus);
  }
}
