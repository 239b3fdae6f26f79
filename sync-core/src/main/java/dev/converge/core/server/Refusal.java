package dev.converge.core.server;

import java.util.Objects;

/**
 * A changeset consumed without being applied, as the pusher is told: {@code error{code, message,
 * ref: seq}} before the ack that covers it.
 *
 * @param seq the refused changeset's seq
 * @param code its {@link dev.converge.core.protocol.ErrorCode} in wire form
 * @param message what was wrong
 */
public record Refusal(long seq, String code, String message) {
  /** Creates a refusal. */
  public Refusal {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}
