package dev.converge.sdk.internal.sync;

import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.SyncStatus;
import dev.converge.sdk.internal.store.StatusCounts;
import dev.converge.sdk.internal.store.Store;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the app is told about syncing ({@link SyncStatus}): the connection state, the last error not
 * yet overcome and when it is retried, the last ack, the forbidden spaces and how many changes were
 * rejected. {@link #publish()} emits {@link Action.StatusChanged} when the status differs from the
 * last one published.
 *
 * <p>Not thread-safe: part of its machine.
 */
final class StatusBoard {

  private final Store store;
  private final SpaceLag lag;
  private final List<String> spaces;
  private final Effects effects;

  ConnectionState state;
  String lastError;
  Instant nextRetryAt;
  Instant lastAckAt;
  long rejections;
  long repairedDocuments;
  long foreignEntriesDropped;
  final Set<String> forbidden = new HashSet<>();
  private SyncStatus status;

  StatusBoard(
      Store store, SpaceLag lag, List<String> spaces, Effects effects, ConnectionState state) {
    this.store = store;
    this.lag = lag;
    this.spaces = spaces;
    this.effects = effects;
    this.state = state;
    this.status = compute();
  }

  /** The status last published (or set). */
  SyncStatus current() {
    return status;
  }

  /** Recomputes the status and tells the listeners if it changed. */
  void publish() {
    SyncStatus next = compute();
    SyncStatus previous = status;
    status = next;
    if (!next.equals(previous)) {
      effects.emit(new Action.StatusChanged(next));
    }
  }

  /** Recomputes the status without telling anyone (the client is closing). */
  void settleQuietly() {
    try {
      status = compute();
    } catch (RuntimeException e) {
      status = new SyncStatus(ConnectionState.CLOSED, 0, 0, lastAckAt, Map.of(), lastError, null);
    }
  }

  private SyncStatus compute() {
    StatusCounts counts = store.statusCounts(spaces);
    return new SyncStatus(
        state,
        counts.pending(),
        counts.rejected(),
        lastAckAt,
        lag.statuses(spaces, forbidden, effects.now(), counts),
        lastError,
        nextRetryAt,
        repairedDocuments,
        foreignEntriesDropped);
  }
}
