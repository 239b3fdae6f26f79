package dev.converge.sdk;

import java.time.Instant;
import java.util.Objects;

/**
 * A local change the server refused (or that was dropped because access to its space was revoked).
 * It is never sent again; its effect stays in the local document until a later change supersedes
 * it. The app may show it to the user and then {@link SyncClient#dismissRejected(long) dismiss} it.
 *
 * @param id local id of the rejection, for dismissing
 * @param key the document the change was for
 * @param seq the change's sequence number when it was sent
 * @param code the server's error code (such as {@code out_of_range}), or {@code revoked}
 * @param message the server's human-readable reason
 * @param deltaJson the change itself, in the wire encoding of sync-core
 * @param rejectedAt when the rejection arrived
 */
public record RejectedChange(
    long id,
    DocumentKey key,
    long seq,
    String code,
    String message,
    String deltaJson,
    Instant rejectedAt) {
  /** Creates a rejected-change record. */
  public RejectedChange {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(deltaJson, "deltaJson");
    Objects.requireNonNull(rejectedAt, "rejectedAt");
  }

  /** Returns the typed reason of {@link #code()}; switch on this rather than on the code text. */
  public RejectionReason reason() {
    return RejectionReason.of(code);
  }
}
