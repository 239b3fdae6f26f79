package dev.converge.core.crdt;

import java.util.NavigableSet;
import java.util.Set;

/**
 * The join of a DotSet, the dot store of set elements: the rule of {@link DotFun} without values.
 */
final class DotSetJoin {
  private DotSetJoin() {}

  /** Joins a dot set: a dot survives if both hold it or the other side never saw it. */
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
