package dev.converge.sdk.internal.engine;

import dev.converge.sdk.ChangeEvent;
import dev.converge.sdk.ChangeListener;
import dev.converge.sdk.ChangeSource;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.ListenerToken;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.StatusListener;
import dev.converge.sdk.SyncStatus;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registered change and status listeners, and their dispatch onto each listener's executor. The
 * dispatch methods only enqueue, so they are cheap to call under the store's monitor; a listener
 * that throws is logged and stays registered. Thread-safe.
 */
public final class ListenerRegistry implements SyncEngine.Events {

  private static final Logger LOG = LoggerFactory.getLogger(ListenerRegistry.class);

  private record Registration<L>(Predicate<DocumentKey> filter, Executor executor, L listener) {}

  private final CopyOnWriteArrayList<Registration<ChangeListener>> changeListeners =
      new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Registration<StatusListener>> statusListeners =
      new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Registration<Consumer<List<RejectedChange>>>>
      rejectionListeners = new CopyOnWriteArrayList<>();

  /** Registers a change listener for documents matching {@code filter}. */
  public ListenerToken addChangeListener(
      Predicate<DocumentKey> filter, Executor executor, ChangeListener listener) {
    return add(changeListeners, new Registration<>(filter, executor, listener));
  }

  /** Registers a status listener. */
  public ListenerToken addStatusListener(Executor executor, StatusListener listener) {
    return add(statusListeners, new Registration<>(key -> true, executor, listener));
  }

  /** Registers a listener for rejected changes. */
  public ListenerToken addRejectionListener(
      Executor executor, Consumer<List<RejectedChange>> listener) {
    return add(rejectionListeners, new Registration<>(key -> true, executor, listener));
  }

  private static <L> ListenerToken add(
      CopyOnWriteArrayList<Registration<L>> list, Registration<L> registration) {
    Objects.requireNonNull(registration.listener(), "listener");
    list.add(registration);
    return () -> list.remove(registration);
  }

  @Override
  public void documentsChanged(List<DocumentKey> keys, ChangeSource source) {
    for (Registration<ChangeListener> registration : changeListeners) {
      for (DocumentKey key : keys) {
        if (registration.filter().test(key)) {
          ChangeEvent event = new ChangeEvent(key, source);
          dispatch(
              registration,
              () -> {
                // Removed meanwhile: do not call it any more.
                if (changeListeners.contains(registration)) {
                  registration.listener().onChange(event);
                }
              });
        }
      }
    }
  }

  @Override
  public void rejected(List<RejectedChange> rejected) {
    for (Registration<Consumer<List<RejectedChange>>> registration : rejectionListeners) {
      dispatch(registration, () -> registration.listener().accept(rejected));
    }
  }

  @Override
  public void statusChanged(SyncStatus status) {
    for (Registration<StatusListener> registration : statusListeners) {
      dispatch(
          registration,
          () -> {
            if (statusListeners.contains(registration)) {
              registration.listener().onStatus(status);
            }
          });
    }
  }

  private static void dispatch(Registration<?> registration, Runnable call) {
    try {
      registration
          .executor()
          .execute(
              () -> {
                try {
                  call.run();
                } catch (RuntimeException e) {
                  LOG.warn("listener {} threw; it stays registered", registration.listener(), e);
                }
              });
    } catch (RejectedExecutionException e) {
      LOG.debug("listener executor refused a call (shut down?)");
    }
  }
}
