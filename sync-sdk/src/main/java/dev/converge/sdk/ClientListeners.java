package dev.converge.sdk;

import dev.converge.sdk.internal.engine.ListenerRegistry;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Registers the app's listeners of a client, checking the arguments at the API boundary; calls run
 * on the executor given, by default the client's listener thread. Thread-safe.
 */
final class ClientListeners {

  private final ListenerRegistry registry;
  private final Executor defaultExecutor;

  ClientListeners(ListenerRegistry registry, Executor defaultExecutor) {
    this.registry = registry;
    this.defaultExecutor = defaultExecutor;
  }

  /** Listens to one document on the client's listener thread. */
  ListenerToken document(DocumentKey key, ChangeListener listener) {
    return document(key, defaultExecutor, listener);
  }

  ListenerToken document(DocumentKey key, Executor executor, ChangeListener listener) {
    ClientCore.requireNonNull(key, "key");
    ClientCore.requireNonNull(executor, "executor");
    ClientCore.requireNonNull(listener, "listener");
    return registry.addChangeListener(key::equals, executor, listener);
  }

  /** Listens to every document of a collection on the client's listener thread. */
  ListenerToken collection(String space, String collection, ChangeListener listener) {
    return collection(space, collection, defaultExecutor, listener);
  }

  ListenerToken collection(
      String space, String collection, Executor executor, ChangeListener listener) {
    DocumentKey.requireName(space, "space");
    DocumentKey.requireName(collection, "collection");
    ClientCore.requireNonNull(executor, "executor");
    ClientCore.requireNonNull(listener, "listener");
    return registry.addChangeListener(
        key -> key.space().equals(space) && key.collection().equals(collection),
        executor,
        listener);
  }

  ListenerToken status(Executor executor, StatusListener listener) {
    ClientCore.requireNonNull(executor, "executor");
    ClientCore.requireNonNull(listener, "listener");
    return registry.addStatusListener(executor, listener);
  }

  /** Listens to status changes on the client's listener thread. */
  ListenerToken status(StatusListener listener) {
    return status(defaultExecutor, listener);
  }

  /** Listens to rejected changes on the client's listener thread. */
  ListenerToken rejections(Consumer<List<RejectedChange>> listener) {
    ClientCore.requireNonNull(listener, "listener");
    return registry.addRejectionListener(defaultExecutor, listener);
  }
}
