package dev.converge.e2e;

import java.util.PriorityQueue;

/**
 * The simulation's one thread of time: tasks ordered by their simulated time (milliseconds), ties
 * broken by the order they were scheduled, so a run is a pure function of its seed.
 */
final class SimLoop {

  /** Where simulated time starts (epoch milliseconds), so that clocks look like real ones. */
  static final long EPOCH = 1_764_065_400_000L;

  private record Task(long at, long order, Runnable work) {}

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
  private long order;
  private long now = EPOCH;
  private long lastTick;
  private long steps;

  /** Returns the simulated time, epoch milliseconds. */
  long now() {
    return now;
  }

  /** Returns the simulated time since the start, milliseconds. */
  long elapsed() {
    return now - EPOCH;
  }

  /**
   * Returns a history timestamp (nanoseconds since the start): the simulated time, made strictly
   * increasing, so that every recorded event has its own instant and a write ends before anything
   * that follows it starts.
   */
  long tick() {
    lastTick = Math.max(lastTick + 1, (now - EPOCH) * 1_000_000);
    return lastTick;
  }

  /** Runs {@code work} after {@code delayMillis} (at least 0). */
  void after(long delayMillis, Runnable work) {
    tasks.add(new Task(now + Math.max(0, delayMillis), order++, work));
  }

  /** Runs {@code work} at {@code at} (or now, if that is past). */
  void at(long at, Runnable work) {
    tasks.add(new Task(Math.max(now, at), order++, work));
  }

  /** Runs every task due up to {@code until}, in order; the time is then {@code until}. */
  void runUntil(long until) {
    while (!tasks.isEmpty() && tasks.peek().at <= until) {
      Task task = tasks.poll();
      now = task.at;
      steps++;
      task.work.run();
    }
    now = Math.max(now, until);
  }

  /** Returns how many tasks have run. */
  long steps() {
    return steps;
  }
}
