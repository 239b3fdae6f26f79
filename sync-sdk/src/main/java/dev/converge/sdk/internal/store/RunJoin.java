package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;

/**
 * The join of a run of unsent deltas of one document, as one changeset may carry it.
 *
 * <p>The plain join (the core's delta join, contexts joined) may hold in its context a dot that was
 * made within the run and dropped within it (an item added, then removed): the server never saw
 * that dot, and the trust boundary allows own context dots only up to the newest own dot of the
 * store or where the document already holds them (docs/protocol-2.md, rule 3), so it would refuse
 * the whole range as {@code context_forged}. Such a dot removes nothing anywhere (no replica ever
 * held a value at it), so it is left out of the joined context: exactly the dots made within the
 * run, absent from the joined store, beyond the newest dot of their replica in that store.
 */
final class RunJoin {

  private RunJoin() {}

  static Document of(List<Document> deltas) {
    Document joined = new Document();
    Set<Dot> made = new HashSet<>();
    for (Document delta : deltas) {
      delta.root().forEachDot(made::add);
      joined.join(delta);
    }
    Set<Dot> kept = new HashSet<>();
    Map<String, Long> newest = new HashMap<>();
    joined
        .root()
        .forEachDot(
            dot -> {
              kept.add(dot);
              newest.merge(dot.replica(), dot.counter(), Math::max);
            });
    Set<Dot> vanished = new HashSet<>();
    for (Dot dot : made) {
      if (!kept.contains(dot) && dot.counter() > newest.getOrDefault(dot.replica(), 0L)) {
        vanished.add(dot);
      }
    }
    if (vanished.isEmpty()) {
      return joined;
    }
    return new Document(joined.root(), without(joined.context(), vanished));
  }

  private static CausalContext without(CausalContext context, Set<Dot> vanished) {
    Set<String> touched = new HashSet<>();
    vanished.forEach(d -> touched.add(d.replica()));
    CausalContext result = new CausalContext();
    for (Map.Entry<String, Long> prefix : context.versionVector().entrySet()) {
      String replica = prefix.getKey();
      if (!touched.contains(replica)) {
        result.addPrefix(replica, prefix.getValue());
        continue;
      }
      for (long c = 1; c <= prefix.getValue(); c++) {
        if (!vanished.contains(new Dot(replica, c))) {
          result.add(replica, c);
        }
      }
    }
    for (Map.Entry<String, NavigableSet<Long>> cloud : context.cloud().entrySet()) {
      for (long c : cloud.getValue()) {
        if (!vanished.contains(new Dot(cloud.getKey(), c))) {
          result.add(cloud.getKey(), c);
        }
      }
    }
    return result;
  }
}
