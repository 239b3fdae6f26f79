package dev.converge.sdk;

import java.util.Locale;

/**
 * Why a local change was rejected ({@link RejectedChange#reason()}): the typed form of its code, so
 * apps switch on constants rather than wire strings. New constants may be added; a code this SDK
 * does not know is {@link #OTHER} (its text stays in {@link RejectedChange#code()}).
 */
public enum RejectionReason {
  /** The token does not grant the change's space. */
  FORBIDDEN_SPACE,
  /** The token grants the space for reading only. */
  READ_ONLY,
  /** The collection's write rule refused the change. */
  WRITE_REFUSED,
  /** The document would exceed its collection's size bound. */
  DOCUMENT_TOO_LARGE,
  /** The space would exceed its quota. */
  QUOTA_EXCEEDED,
  /** A counter increment beyond the server's bound. */
  OUT_OF_RANGE,
  /** The change carried a dot of another replica (trust boundary). */
  DOT_FORGED,
  /** The change reused a dot with other content (trust boundary). */
  DOT_REUSED,
  /** The change's causal context claimed dots the server never saw (trust boundary). */
  CONTEXT_FORGED,
  /** The server found the change invalid. */
  INVALID,
  /** The change is too large for the protocol's limits. */
  TOO_LARGE,
  /** The server could not decode the change. */
  MALFORMED,
  /** The server did not know the message type that carried the change. */
  UNKNOWN_TYPE,
  /** Access to the change's space was revoked before it was sent (set by the SDK). */
  REVOKED,
  /**
   * The app unsubscribed from the change's space, or cleared local data, before it was sent (set by
   * the SDK; {@link UnsentChanges#DISCARD}).
   */
  UNSUBSCRIBED,
  /** A code this SDK does not know. */
  OTHER;

  /** Returns the reason of a wire code ({@code out_of_range} is {@link #OUT_OF_RANGE}). */
  public static RejectionReason of(String code) {
    if (code == null) {
      return OTHER;
    }
    for (RejectionReason reason : values()) {
      if (reason != OTHER && reason.name().toLowerCase(Locale.ROOT).equals(code)) {
        return reason;
      }
    }
    return OTHER;
  }
}
