package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.Message;
import dev.converge.sdk.SyncException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pending {@code syncNow} calls and the head exchange behind them. Once every change committed
 * before a call is acknowledged, the call asks the server for its current heads ({@code sync{ref}})
 * and completes when every cursor has reached the heads of the answer ({@code synced{ref}}): heads
 * read from the server's database after the call, not the last ones it happened to announce, so a
 * change another client had acked before the call is always seen, and so are the caller's own.
 *
 * <p>A call is known by the waiter id its driver gave; completing it is an action ({@link
 * Action.SyncDone}, {@link Action.SyncFailed}) that also cancels its timeout.
 *
 * <p>Not thread-safe: owned by the {@link SyncMachine}.
 */
final class SyncRequests {

  /** Where the replica stands, for deciding whether a waiter is done. */
  interface Progress {
    /** The smallest seq still in the outbox, 0 if it is empty. */
    long firstPendingSeq();

    /** Whether {@code space} has been caught up to {@code head} (or is no longer synced). */
    boolean reached(String space, long head);
  }

  /** One {@code syncNow} call. */
  private static final class Waiter {
    final long id;
    final long ref;
    final long rejectionsAtStart;
    final long timeoutMillis;
    long targetSeq;
    boolean asked;
    Map<String, Long> heads;

    Waiter(long id, long ref, long targetSeq, long rejectionsAtStart, long timeoutMillis) {
      this.id = id;
      this.ref = ref;
      this.targetSeq = targetSeq;
      this.rejectionsAtStart = rejectionsAtStart;
      this.timeoutMillis = timeoutMillis;
    }
  }

  private final Effects effects;
  private final List<Waiter> waiters = new ArrayList<>();
  private long nextRef = 1;

  SyncRequests(Effects effects) {
    this.effects = effects;
  }

  /** A ref no waiter uses: for a {@code sync} that only reports stable points. */
  long newRef() {
    return nextRef++;
  }

  /**
   * Registers call {@code id}, which waits for the changes up to {@code targetSeq}, and sets its
   * timeout.
   */
  void add(long id, long targetSeq, long rejections, long timeoutMillis) {
    waiters.add(new Waiter(id, nextRef++, targetSeq, rejections, timeoutMillis));
    effects.schedule(new Timer.SyncTimeout(id), timeoutMillis);
  }

  /**
   * Forgets a waiter whose timeout fired; returns its timeout in milliseconds, or -1 if it was no
   * longer waiting.
   */
  long timedOut(long id) {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (waiter.id == id) {
        it.remove();
        return waiter.timeoutMillis;
      }
    }
    return -1;
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
  void advance(Progress progress, long rejections) {
    if (waiters.isEmpty()) {
      return;
    }
    long first = progress.firstPendingSeq();
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      boolean pushed = first == 0 || first > waiter.targetSeq;
      if (pushed && waiter.heads == null && !waiter.asked) {
        waiter.asked = true;
        effects.emit(new Action.Send(new Message.Sync(waiter.ref)));
      }
      if (pushed && waiter.heads != null && reached(progress, waiter.heads)) {
        it.remove();
        effects.cancel(new Timer.SyncTimeout(waiter.id));
        if (rejections > waiter.rejectionsAtStart) {
          effects.emit(
              new Action.SyncFailed(
                  waiter.id,
                  SyncException.Code.REJECTED,
                  "the server rejected "
                      + (rejections - waiter.rejectionsAtStart)
                      + " change(s) while syncing; see rejectedChanges()"));
        } else {
          effects.emit(new Action.SyncDone(waiter.id));
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

  /** Fails every waiter with {@code code} (the client closes). */
  void failAll(SyncException.Code code, String message) {
    for (Waiter waiter : waiters) {
      effects.cancel(new Timer.SyncTimeout(waiter.id));
      effects.emit(new Action.SyncFailed(waiter.id, code, message));
    }
    waiters.clear();
  }
}
