package dev.converge.core.trust;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.CrdtValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.FieldKey;
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
 *       dropped was removed there and is not brought back.
 *   <li>Counter runs of the lineage that end beyond the server's context (the server compacted them
 *       after the backup it was restored from): the run, its whole range in the context (it
 *       replaces the entries it was formed from, which the server may still hold), and every entry
 *       in that range the device holds. A run is held back ({@link RunChoice}) where pushing it
 *       would cut an entry the server holds, touch a held-back run's range, or, in {@link
 *       Scope#OWN_WRITES}, remove an entry the server holds that the run does not replace.
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
    walk.collect(local.root(), server.root());
    RunChoice runs = RunChoice.choose(walk.candidates, walk.heldBack, walk.held, server, scope);

    CausalContext context = walk.pushed.copy();
    Map<String, Long> newestOwn = new HashMap<>(walk.newestOwn);
    CausalContext inRuns = new CausalContext();
    for (CounterEntry run : runs.pushed()) {
      for (long c = run.first(); c <= run.last(); c++) {
        context.add(run.replica(), c);
        inRuns.add(run.replica(), c);
      }
      newestOwn.merge(run.replica(), run.last(), Math::max);
    }
    // Entries left out of the store; their dots stay out of the context (covering them would
    // remove them there), except in a pushed run's range, whose entries the store keeps.
    CausalContext dropped = new CausalContext();
    for (Dot dot : walk.notPushed) {
      if (!inRuns.contains(dot)) {
        dropped.add(dot);
      }
    }
    for (RunChoice.Candidate back : runs.heldBack()) {
      // A run stands for every increment in its range, and the server may still hold the entries it
      // was formed from at that counter: nothing replaces them, so none may be covered. Nor may a
      // range dot the server never saw (it may yet come back inside the run). Other seen dots in
      // the range are other fields' entries (dots are numbered per document) and stay as they are.
      CounterEntry run = back.run();
      // The run itself stays out of the store, whatever the server holds at its key.
      dropped.add(run.dot());
      Set<Dot> shadowed = RunChoice.shadowedAtServer(back);
      for (long c = run.first(); c < run.last(); c++) {
        Dot dot = new Dot(run.replica(), c);
        if (!walk.pushed.contains(dot) && (!seen.contains(dot) || shadowed.contains(dot))) {
          dropped.add(dot);
        }
      }
    }
    for (Map.Entry<String, Long> own : newestOwn.entrySet()) {
      String replica = own.getKey();
      // Dots are numbered per document, so this walks at most the document's own writes.
      for (long counter = 1; counter <= own.getValue(); counter++) {
        if (claimed.contains(replica, counter)
            && !dropped.contains(replica, counter)
            && (scope == Scope.WITH_REMOVES || !seen.contains(replica, counter))) {
          context.add(replica, counter);
        }
      }
    }
    boolean removes = false;
    if (scope == Scope.WITH_REMOVES) {
      for (Dot dot : server.root().dots()) {
        if (claimed.contains(dot) && !walk.held.contains(dot) && !dropped.contains(dot)) {
          context.add(dot);
          removes = true;
        }
      }
    }
    if (newestOwn.isEmpty() && !removes) {
      return new Document();
    }
    Document filtered = local.copy();
    // Joining a context without a store drops every entry at its dots: what remains is the store.
    filtered.join(new Document(new MapValue(), dropped));
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
   * One walk over the device's store beside the server's: the dots it holds, the pushable single
   * entries (own, new to the server) with the newest per replica, the others, and the counter runs,
   * as candidates to push (own, ending beyond the server's context) or held back.
   */
  private static final class Walk {
    final Lineage lineage;
    final CausalContext seen;
    final Set<Dot> held = new HashSet<>();
    final CausalContext pushed = new CausalContext();
    final List<Dot> notPushed = new ArrayList<>();
    final Map<String, Long> newestOwn = new HashMap<>();
    final List<RunChoice.Candidate> candidates = new ArrayList<>();
    final List<RunChoice.Candidate> heldBack = new ArrayList<>();

    Walk(Lineage lineage, CausalContext seen) {
      this.lineage = lineage;
      this.seen = seen;
    }

    void collect(CrdtValue value, CrdtValue atServer) {
      if (value instanceof MapValue map) {
        for (Map.Entry<FieldKey, CrdtValue> child : map.typedEntries().entrySet()) {
          CrdtValue serverChild =
              atServer instanceof MapValue serverMap
                  ? serverMap.get(child.getKey().name(), child.getKey().type())
                  : null;
          collect(child.getValue(), serverChild);
        }
        return;
      }
      Set<Dot> runs = new HashSet<>();
      if (value instanceof CounterValue counter) {
        for (CounterEntry entry : counter.entries().values()) {
          if (entry.isRun()) {
            runs.add(entry.dot());
            held.add(entry.dot());
            CounterValue serverCounter =
                atServer instanceof CounterValue c ? c : new CounterValue();
            RunChoice.Candidate candidate = new RunChoice.Candidate(entry, serverCounter);
            if (entry.equals(serverCounter.entries().get(entry.dot()))) {
              // The server holds this very run: an entry like any other it has seen.
              notPushed.add(entry.dot());
            } else if (lineage.owns(entry.replica())
                && (!seen.contains(entry.dot())
                    || RunReplacement.replacesExactly(entry, serverCounter, seen))) {
              candidates.add(candidate);
            } else {
              heldBack.add(candidate);
            }
          }
        }
      }
      value.forEachDot(
          dot -> {
            if (runs.contains(dot)) {
              return;
            }
            held.add(dot);
            if (lineage.owns(dot.replica()) && !seen.contains(dot)) {
              pushed.add(dot);
              newestOwn.merge(dot.replica(), dot.counter(), Math::max);
            } else {
              notPushed.add(dot);
            }
          });
    }
  }
}
