package dev.converge.sdk;

import dev.converge.core.crdt.CrdtException;
import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.DecodeException;
import dev.converge.sdk.internal.engine.CommitOrder;
import dev.converge.sdk.internal.engine.ListenerRegistry;
import dev.converge.sdk.internal.engine.SyncEngine;
import dev.converge.sdk.internal.store.LocalMutation;
import dev.converge.sdk.internal.store.OutboxRow;
import dev.converge.sdk.internal.store.Store;
import dev.converge.sdk.internal.store.StoreException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The client's local read and write path: each write (or batch) commits and enqueues its listener
 * events under the {@link CommitOrder} lock, then tells the engine; internal failures become {@link
 * SyncException}s here, at the API boundary.
 *
 * <p>Thread-safe.
 */
final class LocalWrites {

  /** A call whose internal failures are translated. */
  interface Action<T> {
    T run();
  }

  private final Store store;
  private final CommitOrder commits;
  private final ListenerRegistry listeners;
  private final SyncEngine engine;

  /** Documents written by the batch running on this thread, or null outside a batch. */
  private final ThreadLocal<Set<DocumentKey>> batchKeys = new ThreadLocal<>();

  LocalWrites(Store store, CommitOrder commits, ListenerRegistry listeners, SyncEngine engine) {
    this.store = store;
    this.commits = commits;
    this.listeners = listeners;
    this.engine = engine;
  }

  /** Reads a view of a document's merged state (an empty document if never seen). */
  <T> T read(DocumentKey key, Function<Document, T> view) {
    return guard(() -> view.apply(store.read(key).orElseGet(Document::new)));
  }

  /** Commits a local change, then notifies listeners and the engine. */
  void write(DocumentKey key, LocalMutation mutation) {
    Set<DocumentKey> batch = batchKeys.get();
    if (batch != null) {
      // Inside batch(): joins its transaction; listeners and the push wait for its commit.
      if (guard(() -> store.writeLocal(key, mutation)).isPresent()) {
        batch.add(key);
      }
      return;
    }
    guard(
        () -> {
          // One lock across commit and enqueue keeps events in commit order (see CommitOrder).
          commits.run(
              () -> {
                Optional<OutboxRow> row = store.writeLocal(key, mutation);
                if (row.isPresent()) {
                  engine.countLocalCommit();
                  listeners.documentsChanged(List.of(key), ChangeSource.LOCAL);
                }
              });
          return null;
        });
    engine.localChangeCommitted();
  }

  /** Runs {@code writes} as one local transaction (see {@link SyncClient#batch}). */
  void batch(Runnable writes) {
    if (batchKeys.get() != null) {
      writes.run();
      return;
    }
    Set<DocumentKey> changed = new LinkedHashSet<>();
    guard(
        () -> {
          commits.run(
              () -> {
                batchKeys.set(changed);
                try {
                  store.batch(writes);
                } finally {
                  batchKeys.remove();
                }
                if (!changed.isEmpty()) {
                  listeners.documentsChanged(List.copyOf(changed), ChangeSource.LOCAL);
                }
              });
          return null;
        });
    if (!changed.isEmpty()) {
      engine.localChangeCommitted();
    }
  }

  /** Translates internal failures into {@link SyncException} at the API boundary. */
  static <T> T guard(Action<T> action) {
    try {
      return action.run();
    } catch (SyncException e) {
      throw e;
    } catch (IllegalArgumentException | CrdtException e) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, e.getMessage(), e);
    } catch (StoreException | DecodeException e) {
      throw new SyncException(SyncException.Code.STORAGE, e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new SyncException(SyncException.Code.INTERNAL, String.valueOf(e.getMessage()), e);
    }
  }
}
