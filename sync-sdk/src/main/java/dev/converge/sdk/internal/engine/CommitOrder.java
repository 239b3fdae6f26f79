package dev.converge.sdk.internal.engine;

import dev.converge.sdk.internal.store.Store;
import java.util.function.Supplier;

/**
 * The SDK's one lock, and the rule that keeps listener events in commit order.
 *
 * <p><b>Lock discipline.</b>
 *
 * <ol>
 *   <li>There is one lock: the store's monitor. {@link dev.converge.sdk.internal.store.SqliteStore}
 *       runs every method (one transaction each) under it; this class takes the same monitor around
 *       a commit <i>and</i> the listener dispatch that reports it.
 *   <li>Two kinds of thread take it through here: an app thread around a local write (or a batch)
 *       and its {@code documentsChanged}, and the engine thread around each step of the {@link
 *       dev.converge.sdk.internal.sync.SyncMachine} together with the {@code documentsChanged} and
 *       {@code rejected} actions of that step. So events reach the listener executors in the order
 *       the commits happened, whichever thread made them.
 *   <li>Under it, listener dispatch only enqueues onto each listener's executor. Nothing else runs
 *       under it: not the token supplier, not the completion of {@code syncNow} futures, not a
 *       socket's open, send or close, and no wait for another thread. The engine runs those actions
 *       after releasing it.
 *   <li>No other lock is taken while it is held (the listener registry is lock-free), so it cannot
 *       take part in a deadlock.
 * </ol>
 *
 * <p>Thread-safe.
 */
public final class CommitOrder {

  private final Object monitor;

  /** Orders the commits of {@code store} and their events. */
  public CommitOrder(Store store) {
    this.monitor = store;
  }

  /** Runs {@code work} (commits and the dispatch of their events) under the lock. */
  public void run(Runnable work) {
    synchronized (monitor) {
      work.run();
    }
  }

  /** Runs {@code work} under the lock and returns its result. */
  public <T> T call(Supplier<T> work) {
    synchronized (monitor) {
      return work.get();
    }
  }
}
