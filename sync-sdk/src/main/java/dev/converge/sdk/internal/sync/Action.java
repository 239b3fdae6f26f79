package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.Encoded;
import dev.converge.core.protocol.Message;
import dev.converge.sdk.ChangeSource;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.SyncException;
import dev.converge.sdk.SyncStatus;
import java.util.List;

/**
 * What the state machine asks its driver to do, in order. Store writes are not actions: the machine
 * makes them itself through the {@link dev.converge.sdk.internal.store.Store} interface, and the
 * listener actions they cause follow them in the same step.
 */
public sealed interface Action {

  /** What a token is for. */
  enum TokenUse {
    /** Opening a session. */
    CONNECT,
    /** Refreshing the token of the open session ({@code auth}). */
    REFRESH
  }

  /**
   * Call the token supplier; answer with {@link Event.TokenSupplied} or {@link
   * Event.TokenUnavailable} before any other event.
   */
  record FetchToken(TokenUse use) implements Action {}

  /** Open a new session with this token; its callbacks become the machine's session events. */
  record Open(String token) implements Action {}

  /** Send a message on the current session. */
  record Send(Message message) implements Action {}

  /** Send a message whose documents are already encoded (a push of outbox rows). */
  record SendEncoded(Encoded message) implements Action {}

  /** End the current session on purpose; its late callbacks must not reach the machine. */
  record Close(int code, String reason) implements Action {}

  /** Set {@code timer} to fire after {@code delayMillis}, replacing it if set. */
  record Schedule(Timer timer, long delayMillis) implements Action {}

  /** Unset {@code timer}. */
  record Cancel(Timer timer) implements Action {}

  /** Tell the listeners that documents changed (committed in this step). */
  record DocumentsChanged(List<DocumentKey> keys, ChangeSource source) implements Action {
    /** Creates the action; the list is copied. */
    public DocumentsChanged {
      keys = List.copyOf(keys);
    }
  }

  /** Tell the listeners that local changes were rejected (committed in this step). */
  record Rejected(List<RejectedChange> rejected) implements Action {
    /** Creates the action; the list is copied. */
    public Rejected {
      rejected = List.copyOf(rejected);
    }
  }

  /** Tell the status listeners of a new status. */
  record StatusChanged(SyncStatus status) implements Action {}

  /** Complete the {@code syncNow} waiter: synced. */
  record SyncDone(long waiter) implements Action {}

  /** Complete the {@code syncNow} waiter exceptionally. */
  record SyncFailed(long waiter, SyncException.Code code, String message) implements Action {}
}
