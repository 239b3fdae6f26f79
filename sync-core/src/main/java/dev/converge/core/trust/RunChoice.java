package dev.converge.core.trust;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Which of a device's counter runs a repair pushes ({@link RepairDelta}). A run the server lacks
 * (it formed it after the backup it was restored from) is pushed with its whole range in the
 * context, so that it replaces the entries it was formed from; that range must therefore cover
 * nothing the repair would wrongly take away. A candidate run is held back when
 *
 * <ul>
 *   <li>an entry of its replica that the server holds at the same counter overlaps its range
 *       without lying inside it (the trust boundary refuses a run that cuts an entry);
 *   <li>its range overlaps the range of a run held back (that range must stay uncovered);
 *   <li>the device holds an entry in its range that the server saw and no longer holds (pushing it
 *       back would reuse a dot);
 *   <li>in {@link RepairDelta.Scope#OWN_WRITES}, the server holds an entry in its range that the
 *       device does not hold and no pushed run replaces: covering it would remove it, and a digest
 *       repair removes nothing.
 * </ul>
 *
 * Holding one run back can hold back others (overlapping ranges, entries no longer replaced), so
 * the choice is repeated until nothing changes; it only ever holds back more.
 */
final class RunChoice {

  /**
   * A run the device holds, of its lineage and ending beyond the server's context, beside the
   * server's counter at the same path (empty if it has none).
   */
  record Candidate(CounterEntry run, CounterValue atServer) {}

  private final List<CounterEntry> pushed;
  private final List<Candidate> heldBack;

  private RunChoice(List<CounterEntry> pushed, List<Candidate> heldBack) {
    this.pushed = pushed;
    this.heldBack = heldBack;
  }

  /** The runs the repair pushes. */
  List<CounterEntry> pushed() {
    return pushed;
  }

  /** Every run the device holds that the repair does not push, beside the server's counter. */
  List<Candidate> heldBack() {
    return heldBack;
  }

  /**
   * Chooses among {@code candidates}; {@code heldBack} are the device's runs that are not
   * candidates, {@code held} every key of the device's store.
   */
  static RunChoice choose(
      List<Candidate> candidates,
      List<Candidate> heldBack,
      Set<Dot> held,
      Document server,
      RepairDelta.Scope scope) {
    List<Candidate> back = new ArrayList<>(heldBack);
    List<Candidate> open = new ArrayList<>();
    for (Candidate candidate : candidates) {
      if (cutsAnEntry(candidate)) {
        back.add(candidate);
      } else {
        open.add(candidate);
      }
    }
    Set<Dot> serverDots = new HashSet<>(server.root().dots());
    boolean changed = true;
    while (changed && !open.isEmpty()) {
      changed = false;
      Set<Dot> replaced = replacedAtServer(open);
      for (Iterator<Candidate> it = open.iterator(); it.hasNext(); ) {
        Candidate candidate = it.next();
        CounterEntry run = candidate.run();
        if (overlapsAny(run, back)
            || !coversOnlyWhatItMay(run, held, serverDots, replaced, server.context(), scope)) {
          back.add(candidate);
          it.remove();
          changed = true;
        }
      }
    }
    List<CounterEntry> chosen = new ArrayList<>();
    for (Candidate candidate : open) {
      chosen.add(candidate.run());
    }
    return new RunChoice(chosen, back);
  }

  private static boolean cutsAnEntry(Candidate candidate) {
    CounterEntry run = candidate.run();
    for (CounterEntry entry : candidate.atServer().entries().values()) {
      if (overlaps(run, entry) && (entry.first() < run.first() || entry.last() > run.last())) {
        return true;
      }
    }
    return false;
  }

  /** The keys of the server's entries that the open runs replace (inside a range, same counter). */
  private static Set<Dot> replacedAtServer(List<Candidate> open) {
    Set<Dot> replaced = new HashSet<>();
    for (Candidate candidate : open) {
      for (CounterEntry entry : candidate.atServer().entries().values()) {
        if (overlaps(candidate.run(), entry)) {
          replaced.add(entry.dot());
        }
      }
    }
    return replaced;
  }

  /**
   * Returns the keys of the server's entries at a held-back run's counter that overlap its range:
   * the entries the run was formed from, which a repair must not cover (nothing would replace
   * them).
   */
  static Set<Dot> shadowedAtServer(Candidate heldBack) {
    Set<Dot> shadowed = new HashSet<>();
    for (CounterEntry entry : heldBack.atServer().entries().values()) {
      if (overlaps(heldBack.run(), entry)) {
        shadowed.add(entry.dot());
      }
    }
    return shadowed;
  }

  private static boolean overlapsAny(CounterEntry run, List<Candidate> others) {
    for (Candidate other : others) {
      if (overlaps(run, other.run())) {
        return true;
      }
    }
    return false;
  }

  private static boolean overlaps(CounterEntry a, CounterEntry b) {
    return a.replica().equals(b.replica()) && a.first() <= b.last() && b.first() <= a.last();
  }

  private static boolean coversOnlyWhatItMay(
      CounterEntry run,
      Set<Dot> held,
      Set<Dot> serverDots,
      Set<Dot> replaced,
      CausalContext seen,
      RepairDelta.Scope scope) {
    for (long c = run.first(); c <= run.last(); c++) {
      Dot dot = new Dot(run.replica(), c);
      boolean atServer = serverDots.contains(dot);
      if (held.contains(dot)) {
        if (seen.contains(dot) && !atServer) {
          return false;
        }
      } else if (atServer && !replaced.contains(dot) && scope == RepairDelta.Scope.OWN_WRITES) {
        return false;
      }
    }
    return true;
  }
}
