package dev.converge.sdk.internal.engine;

import dev.converge.sdk.SyncException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The futures of pending {@code syncNow} calls, by the waiter id the machine knows them by.
 * Completing one runs the caller's dependent stages, so the engine does it outside the commit lock.
 *
 * <p>Thread-safe.
 */
final class SyncFutures {

  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();

  /** Registers {@code future}; returns its waiter id. */
  long add(CompletableFuture<Void> future) {
    long id = nextId.getAndIncrement();
    pending.put(id, future);
    return id;
  }

  /** Completes waiter {@code id} normally. */
  void complete(long id) {
    CompletableFuture<Void> future = pending.remove(id);
    if (future != null) {
      future.complete(null);
    }
  }

  /** Completes waiter {@code id} with {@code error}. */
  void fail(long id, SyncException error) {
    CompletableFuture<Void> future = pending.remove(id);
    if (future != null) {
      future.completeExceptionally(error);
    }
  }
}
