package dev.converge.sdk;

import dev.converge.sdk.internal.engine.SyncEngine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The client's sync controls (connect, disconnect, pause, confirmed sync, rejected changes), each
 * checked against the client's closed state before it reaches the engine or the store. Thread-safe.
 */
final class SyncControl {

  private final ClientCore core;
  private final SyncEngine engine;

  SyncControl(ClientCore core) {
    this.core = core;
    this.engine = core.engine();
  }

  SyncStatus status() {
    return engine.status();
  }

  /**
   * See {@link SyncClient#syncNow(Duration)}: a closed client gets a failed future, not a throw, so
   * a caller racing a close handles one outcome.
   */
  CompletableFuture<Void> syncNow(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "timeout is null or <= 0");
    }
    if (core.isClosed()) {
      // Not CompletableFuture.failedFuture: Java 9, beyond Android API 26.
      CompletableFuture<Void> failed = new CompletableFuture<>();
      failed.completeExceptionally(
          new SyncException(SyncException.Code.CLOSED, "client is closed"));
      return failed;
    }
    return ClientCore.guard(() -> engine.syncNow(timeout));
  }

  void connect() {
    core.ensureOpen();
    engine.connect();
  }

  void disconnect() {
    core.ensureOpen();
    engine.disconnect();
  }

  void pause() {
    core.ensureOpen();
    engine.pause();
  }

  void resume() {
    core.ensureOpen();
    engine.resume();
  }

  void subscribe(String space) {
    core.ensureOpen();
    engine.subscribe(space);
  }

  List<RejectedChange> rejectedChanges() {
    return core.storeRead(store -> store.rejected());
  }

  boolean dismissRejected(long id) {
    boolean removed = core.storeRead(store -> store.dismissRejected(id));
    engine.refreshStatus();
    return removed;
  }
}
