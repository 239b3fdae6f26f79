package dev.converge.core.trust;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.CrdtValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.MapValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a device pushes to give the server back what it lost of the device's state (docs/crdt.md,
 * "Repair within the trust boundary"): the part of the device's state the server accepts from it as
 * an ordinary changeset of its lineage, and nothing else. The one repair filter of both repairs: a
 * digest exchange that found a document different ({@link Scope#OWN_WRITES}) and a server restored
 * from a backup ({@link Scope#WITH_REMOVES}).
 *
 * <ul>
 *   <li>Store, in both scopes: the entries at dots of the device's lineage that the server's
 *       context does not hold (its writes the server lost). An entry the server once held and
 *       dropped was removed there and is not brought back; a counter run is never pushed (only the
 *       server forms runs, and it stands for increments none of which may be covered).
 *   <li>Context, {@link Scope#OWN_WRITES}: those dots, and the lineage's other context dots the
 *       server has not seen, up to the newest pushed dot per replica (the trust rule's bound):
 *       nothing the server holds is removed. A digest repair cannot tell a lost remove from an
 *       entry a damaged file dropped, so a damaged device never removes anything on the server.
 *   <li>Context, {@link Scope#WITH_REMOVES}: also the lineage's context dots the server has seen up
 *       to that bound (the own values its lost writes superseded), and every dot the server's store
 *       holds that the device's context covers and its store no longer holds: the removes the
 *       server lost, whoever wrote the removed value. Only for a server known to have lost history.
 * </ul>
 *
 * Entries at other replicas' dots that the server lacks are never pushed (they would be forged);
 * {@link #foreignMissing} names them, for the device to report.
 *
 * <p>Pure and thread-safe.
 */
public final class RepairDelta {

  /** Which context entries the repair may carry beyond its own new dots. */
  public enum Scope {
    /** Only the lineage's dots the server has not seen: the repair removes nothing. */
    OWN_WRITES,
    /** Also the removes the server lost: for a server restored from a backup. */
    WITH_REMOVES
  }

  private RepairDelta() {}

  /**
   * Returns the delta that gives the server what {@code local} holds of {@code lineage}'s writes
   * (and, with {@link Scope#WITH_REMOVES}, of its removes) and {@code server} lacks, within the
   * trust rules; an empty document when there is nothing to give. Neither argument is changed.
   *
   * @param local the device's state of the document
   * @param server the server's state of the document, empty if it has none
   * @param lineage the device's replica id and its predecessors
   * @param scope which context entries the delta may carry
   */
  public static Document of(Document local, Document server, Lineage lineage, Scope scope) {
    CausalContext seen = server.context();
    CausalContext claimed = local.context();
    Walk walk = new Walk(lineage, seen);
    walk.collect(local.root());
    CausalContext context = walk.pushed;
    for (Map.Entry<String, Long> own : walk.newestOwn.entrySet()) {
      String replica = own.getKey();
      // Dots are numbered per document, so this walks at most the document's own writes. A dot
      // the device still holds but does not push stays out: covering it would remove it there.
      for (long counter = 1; counter <= own.getValue(); counter++) {
        if (claimed.contains(replica, counter)
            && !walk.dropped.contains(replica, counter)
            && (scope == Scope.WITH_REMOVES || !seen.contains(replica, counter))) {
          context.add(replica, counter);
        }
      }
    }
    boolean removes = false;
    if (scope == Scope.WITH_REMOVES) {
      for (Dot dot : server.root().dots()) {
        if (claimed.contains(dot) && !walk.held.contains(dot) && !walk.dropped.contains(dot)) {
          context.add(dot);
          removes = true;
        }
      }
    }
    if (walk.newestOwn.isEmpty() && !removes) {
      return new Document();
    }
    Document filtered = local.copy();
    // Joining a context without a store drops every entry at its dots: what remains is the store.
    filtered.join(new Document(new MapValue(), walk.dropped));
    return new Document(filtered.root(), context);
  }

  /**
   * Returns the dots of other replicas (outside {@code lineage}) whose entries {@code local} holds
   * and {@code server}'s context has never seen: writes the server never accepted, which the device
   * must not push under its own name.
   */
  public static List<Dot> foreignMissing(Document local, Document server, Lineage lineage) {
    List<Dot> missing = new ArrayList<>();
    local
        .root()
        .forEachDot(
            dot -> {
              if (!lineage.owns(dot.replica()) && !server.context().contains(dot)) {
                missing.add(dot);
              }
            });
    return missing;
  }

  /**
   * One walk over the device's store: the dots it holds, the pushable ones (own, new to the server,
   * no run) with the newest per replica, and the others, which the delta's store leaves out.
   */
  private static final class Walk {
    final Lineage lineage;
    final CausalContext seen;
    final Set<Dot> held = new HashSet<>();
    final CausalContext pushed = new CausalContext();
    final CausalContext dropped = new CausalContext();
    final Map<String, Long> newestOwn = new HashMap<>();

    Walk(Lineage lineage, CausalContext seen) {
      this.lineage = lineage;
      this.seen = seen;
    }

    void collect(CrdtValue value) {
      if (value instanceof MapValue map) {
        for (CrdtValue child : map.typedEntries().values()) {
          collect(child);
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
            held.add(dot);
            if (lineage.owns(dot.replica()) && !seen.contains(dot) && !runs.contains(dot)) {
              pushed.add(dot);
              newestOwn.merge(dot.replica(), dot.counter(), Math::max);
            } else {
              dropped.add(dot);
            }
          });
    }
  }
}
