package dev.converge.sdk.internal.engine;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Bounds the text received from the server that the engine has not handled yet. The transport's
 * reader thread hands each frame to the engine thread; past the bound it waits, so it stops reading
 * the socket, TCP's window fills, and the server holds its frames back (its outbound budget)
 * instead of this client's heap filling with them. A bootstrap of a large space streams pages
 * faster than they are written to SQLite: without the bound, a client limited to a 128 MiB heap ran
 * out of memory part-way through a space of 1,000,000 documents.
 *
 * <p>A frame larger than the whole window still passes, alone. A wait ends when its session does,
 * so a reader thread never hangs past its session. Thread-safe.
 */
final class InboundWindow {

  /** Characters of received, unhandled text the window holds at most. */
  static final int MAX_CHARS = 1 << 20;

  /** How often a waiting reader checks whether its session ended. */
  private static final long CHECK_MILLIS = 100;

  private final int capacity;
  private final Semaphore free;

  InboundWindow() {
    this(MAX_CHARS);
  }

  InboundWindow(int capacity) {
    this.capacity = capacity;
    this.free = new Semaphore(capacity);
  }

  /** The share of the window a frame of {@code chars} characters takes. */
  int weight(int chars) {
    return Math.max(1, Math.min(chars, capacity));
  }

  /**
   * Takes {@code weight} of the window, waiting while it is full; returns false, taking nothing, if
   * {@code ended} became true first (the frame is then dropped: its session is over).
   */
  boolean enter(int weight, BooleanSupplier ended) {
    try {
      while (!free.tryAcquire(weight, CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
        if (ended.getAsBoolean()) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Gives back {@code weight} once the engine handled (or dropped) its frame. */
  void leave(int weight) {
    free.release(weight);
  }

  /** The characters free now (for tests). */
  int available() {
    return free.availablePermits();
  }
}
