package dev.converge.sdk.internal.engine;

import dev.converge.sdk.internal.sync.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The machine's timers on the engine's scheduler: one pending task per {@link Timer} key. A task
 * runs on the engine thread itself, and fires only if it is still the one set for its key, so a
 * cancelled or replaced timer never reaches the machine.
 *
 * <p>Confined to the engine thread.
 */
final class Timers {

  private final ScheduledExecutorService executor;
  private final Consumer<Timer> fire;
  private final Map<Timer, ScheduledFuture<?>> pending = new HashMap<>();

  Timers(ScheduledExecutorService executor, Consumer<Timer> fire) {
    this.executor = executor;
    this.fire = fire;
  }

  /** Sets {@code timer} to fire after {@code delayMillis}, replacing it if set. */
  void schedule(Timer timer, long delayMillis) {
    cancel(timer);
    AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
    ScheduledFuture<?> task =
        executor.schedule(
            () -> {
              if (pending.get(timer) == self.get()) {
                pending.remove(timer);
                fire.accept(timer);
              }
            },
            delayMillis,
            TimeUnit.MILLISECONDS);
    self.set(task);
    pending.put(timer, task);
  }

  /** Unsets {@code timer}. */
  void cancel(Timer timer) {
    ScheduledFuture<?> task = pending.remove(timer);
    if (task != null) {
      task.cancel(false);
    }
  }

  /** Unsets every timer (the engine stops). */
  void cancelAll() {
    pending.values().forEach(task -> task.cancel(false));
    pending.clear();
  }
}
