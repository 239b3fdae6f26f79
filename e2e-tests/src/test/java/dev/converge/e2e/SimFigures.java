package dev.converge.e2e;

import java.util.Map;
import java.util.TreeMap;

/** What a simulated run did, counted by kind (faults by class, crashes, frames, pushes). */
final class SimFigures {

  final Map<String, Long> counts = new TreeMap<>();

  void count(String what) {
    counts.merge(what, 1L, Long::sum);
  }

  long get(String what) {
    return counts.getOrDefault(what, 0L);
  }

  /** Adds another run's figures to these. */
  void add(SimFigures other) {
    other.counts.forEach((k, v) -> counts.merge(k, v, Long::sum));
  }

  @Override
  public String toString() {
    return counts.toString();
  }
}
