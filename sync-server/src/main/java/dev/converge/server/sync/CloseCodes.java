package dev.converge.server.sync;

/** WebSocket close codes of protocol v1, which the SDK acts on. */
public final class CloseCodes {
  private CloseCodes() {}

  /** The token expired or is invalid: get a fresh one and reconnect. */
  public static final int TOKEN = 4001;
  /** The client read too slowly: reconnect later and resume from the cursors. */
  public static final int TOO_SLOW = 4008;
  /** The client broke the protocol, or did not say hello in time. */
  public static final int PROTOCOL = 4400;
  /** The token subject already holds the most sessions allowed on this node. */
  public static final int TOO_MANY_CONNECTIONS = 4429;
  /** A message (once inflated) beyond the configured size. */
  public static final int TOO_BIG = 1009;
}
