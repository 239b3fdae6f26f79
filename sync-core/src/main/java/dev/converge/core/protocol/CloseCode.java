package dev.converge.core.protocol;

import java.util.Arrays;
import java.util.Optional;

/**
 * The WebSocket close codes of the sync protocol and what a client does after each. Server and SDK
 * share this one list.
 */
public enum CloseCode {
  /** A normal end of the session (RFC 6455). */
  NORMAL(1000, "normal"),
  /** The peer is going away, e.g. a server shutting down (RFC 6455): reconnect. */
  GOING_AWAY(1001, "going away"),
  /** A binary frame: the protocol speaks JSON text frames only (RFC 6455 "unsupported data"). */
  UNSUPPORTED_DATA(1003, "unsupported data"),
  /** A text message that is not valid UTF-8 (RFC 6455 "invalid frame payload data"). */
  INVALID_PAYLOAD(1007, "invalid payload"),
  /** A message (once inflated) larger than the configured frame limit (RFC 6455). */
  TOO_BIG(1009, "message too big"),
  /** The token expired or is invalid: get a fresh one and reconnect. */
  TOKEN(4001, "token"),
  /** The client read too slowly: reconnect later and resume from the cursors. */
  TOO_SLOW(4008, "too slow"),
  /** The client broke the protocol, or did not say hello in time. */
  PROTOCOL(4400, "protocol"),
  /** The token subject already holds the most sessions allowed on this node. */
  TOO_MANY_CONNECTIONS(4429, "too many connections");

  private final int code;
  private final String reason;

  CloseCode(int code, String reason) {
    this.code = code;
    this.reason = reason;
  }

  /** Returns the numeric close code sent in the close frame. */
  public int code() {
    return code;
  }

  /** Returns a short default reason phrase. */
  public String reason() {
    return reason;
  }

  /** Returns the close code of a number, or empty for one outside the protocol. */
  public static Optional<CloseCode> of(int code) {
    return Arrays.stream(values()).filter(c -> c.code == code).findFirst();
  }
}
