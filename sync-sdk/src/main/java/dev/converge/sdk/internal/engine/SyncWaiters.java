package dev.converge.sdk.internal.engine;

import dev.converge.core.protocol.Message;
import dev.converge.sdk.SyncException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The pending {@code syncNow} calls and the head exchange behind them. Once every change committed
 * before a call is acknowledged, the call asks the server for its current heads ({@code sync{ref}})
 * and completes when every cursor has reached the heads of the answer ({@code synced{ref}}): heads
 * read from the server's database after the call, not the last ones it happened to announce, so a
 * change another client had acked before the call is always seen, and so are the caller's own.
 *
 * <p>Confined to the engine thread.
 */
final class SyncWaiters {

  /** Where the replica stands, for deciding whether a waiter is done. */
  interface Progress {
    /** The smallest seq still in the outbox, 0 if it is empty. */
    long firstPendingSeq();

    /** Whether {@code space} has been caught up to {@code head} (or is no longer synced). */
    boolean reached(String space, long head);
  }

  /** One {@code syncNow} call. */
  static final class Waiter {
    final long ref;
    final long rejectionsAtStart;
    final CompletableFuture<Void> future;
    long targetSeq;
    boolean asked;
    Map<String, Long> heads;

    Waiter(long ref, long targetSeq, long rejectionsAtStart, CompletableFuture<Void> future) {
      this.ref = ref;
      this.targetSeq = targetSeq;
      this.rejectionsAtStart = rejectionsAtStart;
      this.future = future;
    }
  }

  private final List<Waiter> waiters = new ArrayList<>();
  private long nextRef = 1;

  /** Registers a call that waits for the changes up to {@code targetSeq}. */
  Waiter add(long targetSeq, long rejections, CompletableFuture<Void> future) {
    Waiter waiter = new Waiter(nextRef++, targetSeq, rejections, future);
    waiters.add(waiter);
    return waiter;
  }

  /** Forgets a waiter (timed out); returns whether it was still waiting. */
  boolean remove(Waiter waiter) {
    return waiters.remove(waiter);
  }

  /** Whether a question awaits its answer (an error may have been that answer). */
  boolean awaitingAnswer() {
    return waiters.stream().anyMatch(w -> w.asked && w.heads == null);
  }

  /**
   * Marks unanswered questions to be asked again: on a new session, or after an error, no answer
   * comes.
   */
  void askAgain() {
    waiters.forEach(w -> w.asked = false);
  }

  /** Records the server's heads for the waiter that asked {@code synced.ref()}. */
  void answered(Message.Synced synced) {
    for (Waiter waiter : waiters) {
      if (waiter.ref == synced.ref() && waiter.heads == null) {
        Map<String, Long> heads = new LinkedHashMap<>();
        synced.spaces().forEach(h -> heads.put(h.space(), h.head()));
        waiter.heads = heads;
      }
    }
  }

  /** After a re-key the outbox was renumbered: every waiter waits for all of it. */
  void retarget(long lastIssuedSeq) {
    waiters.forEach(w -> w.targetSeq = lastIssuedSeq);
  }

  /**
   * Asks the server's heads for every waiter whose changes are acknowledged, and completes every
   * waiter whose heads are reached.
   */
  void advance(Progress progress, long rejections, Consumer<Message.Sync> ask) {
    if (waiters.isEmpty()) {
      return;
    }
    long first = progress.firstPendingSeq();
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      boolean pushed = first == 0 || first > waiter.targetSeq;
      if (pushed && waiter.heads == null && !waiter.asked) {
        waiter.asked = true;
        ask.accept(new Message.Sync(waiter.ref));
      }
      if (pushed && waiter.heads != null && reached(progress, waiter.heads)) {
        it.remove();
        if (rejections > waiter.rejectionsAtStart) {
          waiter.future.completeExceptionally(
              new SyncException(
                  SyncException.Code.REJECTED,
                  "the server rejected "
                      + (rejections - waiter.rejectionsAtStart)
                      + " change(s) while syncing; see rejectedChanges()"));
        } else {
          waiter.future.complete(null);
        }
      }
    }
  }

  private static boolean reached(Progress progress, Map<String, Long> heads) {
    for (Map.Entry<String, Long> head : heads.entrySet()) {
      if (!progress.reached(head.getKey(), head.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** Fails every waiter (the client closes). */
  void failAll(SyncException error) {
    for (Waiter waiter : waiters) {
      waiter.future.completeExceptionally(error);
    }
    waiters.clear();
  }
}
