package dev.converge.sdk;

import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.internal.engine.CommitOrder;
import dev.converge.sdk.internal.engine.EngineConfig;
import dev.converge.sdk.internal.engine.ListenerRegistry;
import dev.converge.sdk.internal.engine.SyncEngine;
import dev.converge.sdk.internal.net.OkHttpTransport;
import dev.converge.sdk.internal.net.Transport;
import dev.converge.sdk.internal.store.SqliteStore;
import dev.converge.sdk.internal.store.Store;
import dev.converge.sdk.internal.store.StoreException;
import dev.converge.sdk.storage.JdbcSqlDatabase;
import dev.converge.sdk.storage.SqlDatabase;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The parts a {@link SyncClient} is made of, wired from its options: the store, the engine, the
 * local-write path, the listener registry and the listener executor. Keeps the client itself to its
 * public API; owns the listener thread when the app gave none.
 */
final class ClientParts {

  final Store store;
  final SyncEngine engine;
  final LocalWrites writes;
  final ListenerRegistry listeners;
  final Executor listenerExecutor;
  private final ExecutorService ownedListenerExecutor;

  /**
   * Opens the store and wires the engine; the engine is not started yet.
   *
   * @throws SyncException with {@code STORAGE} if the database cannot be opened
   */
  ClientParts(ClientOptions<?> options) {
    ProtocolCodec codec = new ProtocolCodec();
    Clock clock = options.clock;
    try {
      SqlDatabase.Opener opener =
          options.database != null
              ? options.database
              : JdbcSqlDatabase.opener(options.databasePath);
      SqlDatabase db = open(opener, options.durableCommits, options.databasePath);
      SqliteStore opened = SqliteStore.open(db, codec, clock::millis, options.maxClockOffset);
      opened.coalesceOutbox(options.coalesceOutbox);
      this.store = opened;
    } catch (StoreException e) {
      throw new SyncException(SyncException.Code.STORAGE, e.getMessage(), e);
    }
    CommitOrder commits = new CommitOrder(store);
    if (options.listenerExecutor == null) {
      this.ownedListenerExecutor = listenerThread(options.replicaName);
      this.listenerExecutor = ownedListenerExecutor;
    } else {
      this.ownedListenerExecutor = null;
      this.listenerExecutor = options.listenerExecutor;
    }
    this.listeners = new ListenerRegistry();
    Transport transport =
        options.transport != null
            ? options.transport
            : new OkHttpTransport(ClientDefaults.CONNECT_TIMEOUT, ClientDefaults.PING_INTERVAL);
    EngineConfig config =
        new EngineConfig(
            options.serverUri,
            options.tokenSupplier,
            new ArrayList<>(options.spaces),
            options.batchSize,
            options.minBackoff,
            options.maxBackoff,
            options.digestInterval,
            clock,
            options.replicaName);
    this.engine = new SyncEngine(store, transport, codec, config, listeners, commits);
    this.writes = new LocalWrites(store, commits, listeners, engine);
  }

  private static SqlDatabase open(SqlDatabase.Opener opener, boolean durable, Object where) {
    try {
      return opener.open(durable);
    } catch (SQLException e) {
      throw StoreException.cannotOpen(where == null ? "" : where, e);
    }
  }

  private static ExecutorService listenerThread(String replicaName) {
    String name = "converge-listeners" + (replicaName == null ? "" : "-" + replicaName);
    return Executors.newSingleThreadExecutor(
        runnable -> {
          Thread thread = new Thread(runnable, name);
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Stops the engine, lets queued listener calls of an owned listener thread run (up to 2 seconds),
   * and closes the store.
   */
  void close() {
    engine.close();
    if (ownedListenerExecutor != null) {
      ownedListenerExecutor.shutdown();
      try {
        ownedListenerExecutor.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    store.close();
  }
}
