package dev.converge.core.crdt;

import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;

/** The join of the two flat dot stores, DotFun and DotSet, shared by every value type. */
final class DotFunJoin {
  private DotFunJoin() {}

  /**
   * Joins a dot-to-value function: a dot survives if both hold it or the other side never saw it.
   */
  static <V> void join(
      NavigableMap<Dot, V> mine,
      Map<Dot, V> theirs,
      CausalContext myContext,
      CausalContext theirContext) {
    if (!theirContext.isEmpty()) {
      mine.entrySet()
          .removeIf(e -> !theirs.containsKey(e.getKey()) && theirContext.contains(e.getKey()));
    }
    theirs.forEach(
        (dot, value) -> {
          if (!mine.containsKey(dot) && !myContext.contains(dot)) {
            mine.put(dot, value);
          }
        });
  }

  /** Joins a dot set with the same rule. */
  static void join(
      NavigableSet<Dot> mine,
      Set<Dot> theirs,
      CausalContext myContext,
      CausalContext theirContext) {
    if (!theirContext.isEmpty()) {
      mine.removeIf(dot -> !theirs.contains(dot) && theirContext.contains(dot));
    }
    for (Dot dot : theirs) {
      if (!mine.contains(dot) && !myContext.contains(dot)) {
        mine.add(dot);
      }
    }
  }
}
