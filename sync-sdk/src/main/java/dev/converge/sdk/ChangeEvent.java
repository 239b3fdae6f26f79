package dev.converge.sdk;

import java.util.Objects;

/**
 * A committed change of one document. Delivered after the change is durable in the local store;
 * read the document through its handle to see the new value.
 *
 * @param key the changed document
 * @param source whether this client or the server made the change
 */
public record ChangeEvent(DocumentKey key, ChangeSource source) {
  /** Creates an event. */
  public ChangeEvent {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(source, "source");
  }

  /** Returns whether the change was made through this client. */
  public boolean isLocal() {
    return source == ChangeSource.LOCAL;
  }
}
