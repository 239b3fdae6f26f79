package dev.converge.sdk;

/**
 * Handle of a registered listener. Removing it stops further calls (a call already handed to the
 * executor may still run). Removing twice is harmless. Thread-safe.
 */
public interface ListenerToken extends AutoCloseable {
  /** Unregisters the listener. */
  void remove();

  /** Same as {@link #remove()}. */
  @Override
  default void close() {
    remove();
  }
}
