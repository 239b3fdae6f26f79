package dev.converge.server.sync;

/** WebSocket close codes of the sync protocol, which the SDK acts on. */
public final class CloseCodes {
  private CloseCodes() {}

  /** A binary frame: the protocol speaks JSON text frames only (RFC 6455 "unsupported data"). */
  public static final int UNSUPPORTED_DATA = 1003;

  /** A text message that is not valid UTF-8 (RFC 6455 "invalid frame payload data"). */
  public static final int INVALID_PAYLOAD = 1007;

  /**
   * A message (once inflated) larger than the configured frame limit (RFC 6455 "message too big").
   */
  public static final int TOO_BIG = 1009;

  /** The token expired or is invalid: get a fresh one and reconnect. */
  public static final int TOKEN = 4001;

  /** The client read too slowly: reconnect later and resume from the cursors. */
  public static final int TOO_SLOW = 4008;

  /** The client broke the protocol, or did not say hello in time. */
  public static final int PROTOCOL = 4400;

  /** The token subject already holds the most sessions allowed on this node. */
  public static final int TOO_MANY_CONNECTIONS = 4429;
}
