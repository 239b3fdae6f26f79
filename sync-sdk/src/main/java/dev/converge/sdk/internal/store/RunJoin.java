package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The join of a run of unsent deltas of one document (the core's delta join, contexts joined),
 * grown one delta at a time while it stays a changeset the server takes and applies exactly as it
 * would the deltas one by one.
 *
 * <p>A join may hold in its context a dot made within the run and dropped within it (an item added,
 * then removed) beyond the newest dot of its replica left in the store: the trust boundary allows
 * own context dots only up to that newest dot or where the document already holds them
 * (docs/protocol-2.md, rule 3), so the server would refuse the whole range as {@code
 * context_forged}; and leaving the dot out would leave the server's context without a dot every
 * device holds. Such a delta is not added: the run ends before it, and it starts the next one. Used
 * by one thread.
 */
final class RunJoin {

  private Document joined = new Document();
  private final Set<Dot> made = new HashSet<>();
  private int parts;

  /** Returns the join so far. */
  Document joined() {
    return joined;
  }

  /** Returns how many deltas were joined. */
  int parts() {
    return parts;
  }

  /**
   * Joins {@code delta} if the result is still pushable as one changeset; returns whether it was
   * joined (if not, nothing changed).
   */
  boolean add(Document delta) {
    if (parts == 0) {
      joined.join(delta);
      delta.root().forEachDot(made::add);
      parts = 1;
      return true;
    }
    Document candidate = joined.copy();
    candidate.join(delta);
    Set<Dot> madeWith = new HashSet<>(made);
    delta.root().forEachDot(madeWith::add);
    if (!holdsEveryDotItMade(candidate, madeWith)) {
      return false;
    }
    joined = candidate;
    made.addAll(madeWith);
    parts++;
    return true;
  }

  /**
   * Whether every dot made within the run and absent from the join's store is at most the newest
   * dot of its replica in that store.
   */
  static boolean holdsEveryDotItMade(Document join, Set<Dot> made) {
    Set<Dot> kept = new HashSet<>();
    Map<String, Long> newest = new HashMap<>();
    join.root()
        .forEachDot(
            dot -> {
              kept.add(dot);
              newest.merge(dot.replica(), dot.counter(), Math::max);
            });
    for (Dot dot : made) {
      if (!kept.contains(dot) && dot.counter() > newest.getOrDefault(dot.replica(), 0L)) {
        return false;
      }
    }
    return true;
  }
}
