package dev.converge.sdk.internal.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The output of one step: the actions emitted so far, the step's time, and which timers are set.
 * The machine's parts emit through it, so actions leave in the order they were decided.
 *
 * <p>Not thread-safe: owned by the {@link SyncMachine}.
 */
final class Effects {
  private List<Action> out = new ArrayList<>();
  private final Set<Timer> armed = new HashSet<>();
  private Instant now;

  /** Starts a step at {@code now} whose actions go to {@code sink}. */
  void begin(Instant now, List<Action> sink) {
    this.now = now;
    this.out = sink;
  }

  /** The time of the current step. */
  Instant now() {
    return now;
  }

  /** Emits an action. */
  void emit(Action action) {
    out.add(action);
  }

  /** Sets {@code timer} (replacing it if it was set). */
  void schedule(Timer timer, long delayMillis) {
    armed.add(timer);
    out.add(new Action.Schedule(timer, Math.max(0, delayMillis)));
  }

  /** Unsets {@code timer} if it is set. */
  void cancel(Timer timer) {
    if (armed.remove(timer)) {
      out.add(new Action.Cancel(timer));
    }
  }

  /** Whether {@code timer} is set. */
  boolean armed(Timer timer) {
    return armed.contains(timer);
  }

  /**
   * Takes a fired timer: returns whether it was set (and unsets it); a timer cancelled meanwhile is
   * ignored.
   */
  boolean fired(Timer timer) {
    return armed.remove(timer);
  }
}
