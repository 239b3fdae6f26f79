package dev.converge.core.crdt;

import java.util.function.LongSupplier;

/**
 * A hybrid logical clock: issues timestamps that never go backwards, follow the wall clock when it
 * moves forward, and move past every timestamp observed from other replicas.
 *
 * <p>Thread-safe.
 */
public final class HybridClock {

  private final LongSupplier wallMillis;
  private Hlc last;

  /** A clock on {@link System#currentTimeMillis()}. */
  public HybridClock() {
    this(System::currentTimeMillis, Hlc.ZERO);
  }

  /**
   * A clock on the given wall-clock source, starting after {@code last} (for example a persisted
   * value).
   */
  public HybridClock(LongSupplier wallMillis, Hlc last) {
    this.wallMillis = wallMillis;
    this.last = last;
  }

  /** Returns a timestamp greater than every one this clock issued or observed before. */
  public synchronized Hlc now() {
    long wall = Math.min(Hlc.MAX_MILLIS, Math.max(0, wallMillis.getAsLong()));
    last = wall > last.millis() ? new Hlc(wall, 0) : bump(last.millis(), last.logical());
    return last;
  }

  /**
   * Moves this clock past a remote timestamp, so that the next local timestamp orders after it.
   *
   * @return the clock's new latest timestamp
   */
  public synchronized Hlc observe(Hlc remote) {
    long wall = Math.min(Hlc.MAX_MILLIS, Math.max(0, wallMillis.getAsLong()));
    long millis = Math.max(wall, Math.max(last.millis(), remote.millis()));
    int logical;
    if (millis == last.millis() && millis == remote.millis()) {
      logical = Math.max(last.logical(), remote.logical());
    } else if (millis == last.millis()) {
      logical = last.logical();
    } else if (millis == remote.millis()) {
      logical = remote.logical();
    } else {
      last = new Hlc(millis, 0);
      return last;
    }
    last = bump(millis, logical);
    return last;
  }

  /** Returns the latest timestamp issued or observed, for persisting. */
  public synchronized Hlc last() {
    return last;
  }

  private static Hlc bump(long millis, int logical) {
    // On logical overflow borrow one millisecond: order is kept, and it cannot happen in practice.
    return logical == Integer.MAX_VALUE ? new Hlc(millis + 1, 0) : new Hlc(millis, logical + 1);
  }
}
