package dev.converge.sdk;

import dev.converge.core.crdt.Document;
import dev.converge.sdk.internal.engine.SyncEngine;
import dev.converge.sdk.internal.store.LocalMutation;
import dev.converge.sdk.internal.store.Store;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * What a {@link SyncClient} and its handles share: the client's parts, whether it is closed, the
 * local read/write path guarded by that state, and the listener registration. The handles work
 * through it, so the client class keeps to its public API. Thread-safe.
 */
final class ClientCore {

  final ClientParts parts;
  final ClientListeners listeners;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Opens the store and wires the parts; nothing syncs yet.
   *
   * @throws SyncException with {@code STORAGE} if the database cannot be opened
   */
  ClientCore(ClientOptions<?> options) {
    this.parts = new ClientParts(options);
    this.listeners = new ClientListeners(parts.listeners, parts.listenerExecutor);
  }

  Store store() {
    return parts.store;
  }

  SyncEngine engine() {
    return parts.engine;
  }

  boolean isClosed() {
    return closed.get();
  }

  /**
   * Throws unless the client is open.
   *
   * @throws SyncException with {@code CLOSED} once the client is closed
   */
  void ensureOpen() {
    if (closed.get()) {
      throw new SyncException(SyncException.Code.CLOSED, "client is closed");
    }
  }

  /** Reads a view of a document's merged state (an empty document if never seen). */
  <T> T read(DocumentKey key, Function<Document, T> view) {
    ensureOpen();
    return parts.writes.read(key, view);
  }

  /** Commits a local change, then notifies listeners and the engine. */
  void write(DocumentKey key, LocalMutation mutation) {
    ensureOpen();
    parts.writes.write(key, mutation);
  }

  /** Runs {@code writes} as one local transaction (see {@link SyncClient#batch}). */
  void batch(Runnable writes) {
    ensureOpen();
    requireNonNull(writes, "writes");
    parts.writes.batch(writes);
  }

  /** Reads the store on the caller's thread, translating its failures. */
  <T> T storeRead(Function<Store, T> read) {
    ensureOpen();
    return guard(() -> read.apply(parts.store));
  }

  /**
   * Closes the parts (engine, listener thread, store) once; false if already closed, so that a
   * second close or a logout after close does nothing.
   */
  boolean close() {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    parts.close();
    return true;
  }

  /** Runs a call on the store or engine, turning internal failures into {@link SyncException}s. */
  static <T> T guard(LocalWrites.Action<T> action) {
    return LocalWrites.guard(action);
  }

  /**
   * Throws {@code INVALID_ARGUMENT} naming the argument if it is null.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if {@code value} is null
   */
  static void requireNonNull(Object value, String name) {
    if (value == null) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, name + " is null");
    }
  }
}
