package dev.converge.core.trust;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.MapValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;

/**
 * What a device pushes back after a digest exchange found one of its documents different from the
 * server's (docs/crdt.md, "Repair within the trust boundary"): the part of its local state the
 * server may accept from it under the trust rules, and nothing else.
 *
 * <ul>
 *   <li>Store: the entries at dots of the device's own lineage that the server's context does not
 *       hold (its writes the server lost). An entry the server once held and dropped was removed
 *       there and is not brought back.
 *   <li>Context: the dots of that store, and the lineage's other dots the server has not seen up to
 *       the newest own dot of that store per replica (the trust rule's bound) — these remove
 *       nothing the server holds. With {@link Scope#WITH_REMOVES}, also every entry of the local
 *       context the server's context already holds: the device's removes, for a server known to
 *       have lost history (a restored backup). A digest repair without that knowledge cannot tell a
 *       lost remove from a locally dropped entry (a damaged file) and uses {@link
 *       Scope#OWN_WRITES}, so a damaged device never removes anything on the server.
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
    /** Also the local context's dots the server already holds: the device's removes. */
    WITH_REMOVES
  }

  private RepairDelta() {}

  /**
   * Returns the delta that gives the server what {@code local} holds of {@code lineage}'s writes
   * and {@code server} lacks, within the trust rules; empty when there is nothing to give.
   */
  public static Document of(Document local, Document server, Lineage lineage, Scope scope) {
    CausalContext seen = server.context();
    List<Dot> dropped = new ArrayList<>();
    Map<String, Long> newestOwn = new HashMap<>();
    local
        .root()
        .forEachDot(
            dot -> {
              if (lineage.owns(dot.replica()) && !seen.contains(dot)) {
                newestOwn.merge(dot.replica(), dot.counter(), Math::max);
              } else {
                dropped.add(dot);
              }
            });
    if (newestOwn.isEmpty() && scope == Scope.OWN_WRITES) {
      return new Document();
    }
    // Joining a context-only delta over the dropped dots takes their entries out of a copy.
    Document filtered = local.copy();
    filtered.join(new Document(new MapValue(), CausalContext.of(dropped)));
    CausalContext context = new CausalContext();
    filtered.root().forEachDot(context::add);
    CausalContext claimed = local.context();
    for (Map.Entry<String, Long> own : newestOwn.entrySet()) {
      String replica = own.getKey();
      long prefix = Math.min(own.getValue(), claimed.versionVector().getOrDefault(replica, 0L));
      for (long counter = seen.versionVector().getOrDefault(replica, 0L) + 1;
          counter <= prefix;
          counter++) {
        if (!seen.contains(replica, counter)) {
          context.add(replica, counter);
        }
      }
      NavigableSet<Long> extra = claimed.cloud().get(replica);
      if (extra != null) {
        for (long counter : extra.headSet(own.getValue(), true)) {
          if (!seen.contains(replica, counter)) {
            context.add(replica, counter);
          }
        }
      }
    }
    if (scope == Scope.WITH_REMOVES) {
      for (Map.Entry<String, Long> prefix : claimed.versionVector().entrySet()) {
        long common =
            Math.min(prefix.getValue(), seen.versionVector().getOrDefault(prefix.getKey(), 0L));
        if (common > 0) {
          context.addPrefix(prefix.getKey(), common);
        }
        NavigableSet<Long> serverExtra = seen.cloud().get(prefix.getKey());
        if (serverExtra != null) {
          for (long counter : serverExtra) {
            if (claimed.contains(prefix.getKey(), counter)) {
              context.add(prefix.getKey(), counter);
            }
          }
        }
      }
      for (Map.Entry<String, NavigableSet<Long>> extra : claimed.cloud().entrySet()) {
        for (long counter : extra.getValue()) {
          if (seen.contains(extra.getKey(), counter)) {
            context.add(extra.getKey(), counter);
          }
        }
      }
    }
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
}
