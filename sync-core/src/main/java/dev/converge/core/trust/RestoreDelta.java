package dev.converge.core.trust;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.CrdtValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.MapValue;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a device pushes to repair a server restored from a backup (docs/crdt.md, "Repair within the
 * trust boundary"): the device's state filtered by the trust rule, so that the server accepts it as
 * an ordinary changeset of the device's lineage.
 *
 * <p>The delta holds
 *
 * <ul>
 *   <li>in its store, every entry of the device whose dot is its own (one of {@code ownReplicaIds})
 *       and new to the server's causal context (an entry the server saw is either held, or was
 *       removed there, and pushing it again would be {@code dot_reused});
 *   <li>in its context, those dots, the device's own context entries up to its newest own store dot
 *       per replica (what its later writes superseded), and every dot the server's context already
 *       holds that the server's store still has while the device's store no longer does: the
 *       removes the server lost. Removes carry no dot of their own, so this part is what brings a
 *       lost remove back, whoever wrote the removed value.
 * </ul>
 *
 * Others' dots the server never had are never pushed (a device never forges); a counter run is
 * never pushed either (only the server forms runs). I/O-free and thread-safe.
 */
public final class RestoreDelta {

  private RestoreDelta() {}

  /**
   * Returns the delta that brings {@code server} the writes of {@code local} it lacks and may
   * accept from a replica owning {@code ownReplicaIds}, or empty when there is none.
   *
   * @param local the device's state of the document (not changed)
   * @param server the server's state of the document, empty if it has none (not changed)
   * @param ownReplicaIds the device's current replica id and its predecessors
   */
  public static Optional<Document> of(Document local, Document server, Set<String> ownReplicaIds) {
    CausalContext seen = server.context();
    Set<Dot> serverStore = new HashSet<>(server.root().dots());
    Set<Dot> localStore = new HashSet<>();
    CausalContext dropped = new CausalContext();
    CausalContext context = new CausalContext();
    Map<String, Long> newestOwn = new HashMap<>();
    collect(local.root(), ownReplicaIds, seen, localStore, dropped, context, newestOwn);
    // Own context entries up to the newest own store dot: the values those writes superseded.
    for (Map.Entry<String, Long> own : newestOwn.entrySet()) {
      String replica = own.getKey();
      long upTo = own.getValue();
      // Dots are numbered per document, so this walks at most the document's own writes. A dot
      // the device still holds but does not push stays out: covering it would remove it there.
      for (long counter = 1; counter <= upTo; counter++) {
        if (local.context().contains(replica, counter) && !dropped.contains(replica, counter)) {
          context.add(replica, counter);
        }
      }
    }
    boolean removes = false;
    for (Dot dot : serverStore) {
      if (local.context().contains(dot) && !localStore.contains(dot) && !dropped.contains(dot)) {
        context.add(dot);
        removes = true;
      }
    }
    if (newestOwn.isEmpty() && !removes) {
      return Optional.empty();
    }
    Document filtered = local.copy();
    // Joining a context without a store drops every entry at its dots: what remains is the store.
    filtered.join(new Document(new MapValue(), dropped));
    return Optional.of(new Document(filtered.root(), context));
  }

  /**
   * Walks the store of {@code value}: the dots it holds go to {@code localStore}; the pushable ones
   * (own, new to the server, no run) to {@code context} and {@code newestOwn}, the others to {@code
   * dropped}.
   */
  private static void collect(
      CrdtValue value,
      Set<String> own,
      CausalContext seen,
      Set<Dot> localStore,
      CausalContext dropped,
      CausalContext context,
      Map<String, Long> newestOwn) {
    if (value instanceof MapValue map) {
      for (CrdtValue child : map.typedEntries().values()) {
        collect(child, own, seen, localStore, dropped, context, newestOwn);
      }
      return;
    }
    Set<Dot> runs = new HashSet<>();
    if (value instanceof CounterValue counter) {
      for (CounterEntry entry : counter.entries().values()) {
        if (entry.isRun()) {
          runs.add(entry.dot());
          // The run stands for every increment in its range: none of them may be covered.
          for (long c = entry.first(); c <= entry.dot().counter(); c++) {
            dropped.add(entry.dot().replica(), c);
          }
        }
      }
    }
    value.forEachDot(
        dot -> {
          localStore.add(dot);
          if (own.contains(dot.replica()) && !seen.contains(dot) && !runs.contains(dot)) {
            context.add(dot);
            newestOwn.merge(dot.replica(), dot.counter(), Math::max);
          } else {
            dropped.add(dot);
          }
        });
  }
}
