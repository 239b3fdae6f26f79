package dev.converge.core.trust;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.CrdtValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.FieldKey;
import dev.converge.core.crdt.MapValue;
import dev.converge.core.crdt.Paths;
import dev.converge.core.crdt.RegisterValue;
import dev.converge.core.crdt.SetValue;
import dev.converge.core.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;

/**
 * The trust boundary of the server (DESIGN §4, §7): checks a pushed delta against the document the
 * server holds before anything is joined, so that one member of a space can never erase, hide or
 * forge another member's writes.
 *
 * <p>A delta passes when
 *
 * <ul>
 *   <li>every store dot belongs to the pushing replica or a declared predecessor, and is new to the
 *       document (absent from its causal context) or identical to the entry the document holds (or,
 *       in a resent changeset, one the document saw and no longer holds: {@link ResentEntries});
 *   <li>its causal context names dots of other replicas only where the document's context already
 *       holds them, and dots of its own lineage only up to the newest own dot of its store (a
 *       replica may remove what it wrote before, never pre-claim what it has not written);
 *   <li>every new counter increment is within the configured bound;
 *   <li>a run of increments (which the server formed by compaction and a device gives back to a
 *       server that lost it, e.g. one restored from a backup) is of the pusher's lineage, ends at a
 *       dot new to the document or replaces exactly the entries the document holds in its range
 *       ({@link RunReplacement}), sums at most its span times the increment bound, comes with a
 *       context that covers its whole range (so that the entries it was formed from, which the
 *       document may still hold, are replaced rather than counted twice), and cuts no entry the
 *       document holds (every stored entry of that replica that overlaps its range lies inside it).
 * </ul>
 *
 * A run lets a member rewrite only its own increments, within the same bound as that many single
 * increments: what it could do with one increment per dot. It is not checked for stability; a
 * device that pushes a run of dots others have not seen only lets a concurrent remove of the
 * earlier ones miss them, and those are its own.
 *
 * <p>"Already holds" means the document's causal context, not its store: two concurrent removes of
 * one item both cover a dot the first already dropped.
 *
 * <p>I/O-free and thread-safe: the server's push transaction calls it, and so can any simulation.
 */
public final class DeltaVerifier {

  private final long maxIncrement;

  /**
   * Creates a verifier.
   *
   * @param maxIncrement the largest absolute amount of one counter increment
   * @throws IllegalArgumentException if {@code maxIncrement} is below 1
   */
  public DeltaVerifier(long maxIncrement) {
    if (maxIncrement < 1) {
      throw new IllegalArgumentException("maxIncrement < 1: " + maxIncrement);
    }
    this.maxIncrement = maxIncrement;
  }

  /** Returns the largest absolute amount of one counter increment this verifier accepts. */
  public long maxIncrement() {
    return maxIncrement;
  }

  /**
   * Checks {@code delta}, pushed by {@code lineage}, against the {@code stored} document.
   *
   * @return the first rule the delta breaks, or empty if it may be joined
   */
  public Optional<Violation> verify(Document stored, Document delta, Lineage lineage) {
    return verify(stored, delta, lineage, false);
  }

  /**
   * Checks {@code delta}, pushed by {@code lineage}, against the {@code stored} document; a {@code
   * resend} (see {@link dev.converge.core.protocol.Changeset#resend}) may carry entries the
   * document saw and no longer holds ({@link ResentEntries}).
   *
   * @return the first rule the delta breaks, or empty if it may be joined
   */
  public Optional<Violation> verify(
      Document stored, Document delta, Lineage lineage, boolean resend) {
    Map<String, Long> newestOwn = new HashMap<>();
    Optional<Violation> store =
        checkMap(
            stored.root(),
            delta.root(),
            new Contexts(
                stored.context(), delta.context(), resend ? new ResentEntries(stored) : null),
            lineage,
            newestOwn,
            new ArrayList<>());
    return store.isPresent()
        ? store
        : checkContext(stored.context(), delta.context(), lineage, newestOwn);
  }

  /**
   * Returns the newest dot per replica of {@code lineage} that {@code delta}'s store carries: the
   * bound up to which its context may name dots of its own that the server has not seen.
   */
  public static Map<String, Long> newestOwnDots(Document delta, Lineage lineage) {
    Map<String, Long> newest = new HashMap<>();
    delta
        .root()
        .forEachDot(
            dot -> {
              if (lineage.owns(dot.replica())) {
                newest.merge(dot.replica(), dot.counter(), Math::max);
              }
            });
    return newest;
  }

  /**
   * The document's context ({@code seen}), the one the delta claims, and for a resend what the
   * document already reflects (null otherwise).
   */
  private record Contexts(CausalContext seen, CausalContext claimed, ResentEntries resent) {

    boolean alreadyReflected(Dot dot) {
      return resent != null && resent.alreadyReflected(dot, seen);
    }

    /** A resent single increment the document counts already: dropped, or kept inside a run. */
    boolean alreadyCounted(CounterEntry increment, CounterEntry heldAtItsDot) {
      return alreadyReflected(increment.dot())
          || (resent != null && ResentEntries.withinHeldRun(increment, heldAtItsDot));
    }
  }

  private Optional<Violation> checkMap(
      MapValue stored,
      MapValue delta,
      Contexts contexts,
      Lineage lineage,
      Map<String, Long> newestOwn,
      List<String> path) {
    for (Map.Entry<FieldKey, CrdtValue> entry : delta.typedEntries().entrySet()) {
      CrdtValue mine =
          stored == null ? null : stored.get(entry.getKey().name(), entry.getKey().type());
      path.add(entry.getKey().name());
      Optional<Violation> violation =
          entry.getValue() instanceof MapValue map
              ? checkMap((MapValue) mine, map, contexts, lineage, newestOwn, path)
              : checkLeaf(mine, entry.getValue(), contexts, lineage, newestOwn, path);
      path.remove(path.size() - 1);
      if (violation.isPresent()) {
        return violation;
      }
    }
    return Optional.empty();
  }

  private Optional<Violation> checkLeaf(
      CrdtValue mine,
      CrdtValue leaf,
      Contexts contexts,
      Lineage lineage,
      Map<String, Long> newestOwn,
      List<String> path) {
    CausalContext seen = contexts.seen();
    if (leaf instanceof RegisterValue register) {
      for (var entry : register.entries().entrySet()) {
        boolean identical =
            mine != null
                && entry.getValue().equals(((RegisterValue) mine).entries().get(entry.getKey()));
        boolean reflected = !identical && contexts.alreadyReflected(entry.getKey());
        Optional<Violation> v =
            checkDot(entry.getKey(), identical || reflected, seen, lineage, newestOwn, path);
        if (v.isPresent()) {
          return v;
        }
      }
    } else if (leaf instanceof CounterValue counter) {
      for (CounterEntry entry : counter.entries().values()) {
        Dot dot = entry.dot();
        CounterValue held = mine instanceof CounterValue c ? c : null;
        boolean identical = held != null && entry.equals(held.entries().get(dot));
        // A run over increments the document holds, with their exact sum, changes no value.
        boolean replaces =
            !identical && entry.isRun() && RunReplacement.replacesExactly(entry, held, seen);
        boolean reflected =
            !identical
                && !entry.isRun()
                && contexts.alreadyCounted(entry, held == null ? null : held.entries().get(dot));
        Optional<Violation> v =
            checkDot(dot, identical || replaces || reflected, seen, lineage, newestOwn, path);
        if (v.isPresent()) {
          return v;
        }
        if (entry.isRun()) {
          Optional<Violation> run =
              identical ? Optional.empty() : checkRun(entry, held, contexts.claimed(), path);
          if (run.isPresent()) {
            return run;
          }
          continue;
        }
        long amount = entry.sum();
        if (!seen.contains(dot) && (amount > maxIncrement || amount < -maxIncrement)) {
          return Optional.of(
              new Violation(
                  ErrorCode.OUT_OF_RANGE,
                  "counter increment "
                      + amount
                      + " at "
                      + Paths.describe(path)
                      + " is beyond the limit of ±"
                      + maxIncrement
                      + " per increment"));
        }
      }
    } else if (leaf instanceof SetValue set) {
      for (var entry : set.entries().entrySet()) {
        NavigableSet<Dot> held =
            mine == null ? null : ((SetValue) mine).entries().get(entry.getKey());
        for (Dot dot : entry.getValue()) {
          boolean identical = held != null && held.contains(dot);
          boolean reflected = !identical && contexts.alreadyReflected(dot);
          Optional<Violation> v =
              checkDot(dot, identical || reflected, seen, lineage, newestOwn, path);
          if (v.isPresent()) {
            return v;
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Checks a run new to the document (its last dot was checked as the pusher's own and new): its
   * sum within {@code span x maxIncrement}, its range covered by the delta's context, and no stored
   * entry of its replica that overlaps the range reaching outside it.
   */
  private Optional<Violation> checkRun(
      CounterEntry run, CounterValue mine, CausalContext claimed, List<String> path) {
    long span = run.last() - run.first() + 1;
    // span <= MAX_RUN_SPAN (2^22), so the product only overflows for bounds past 2^41.
    long bound = maxIncrement > Long.MAX_VALUE / span ? Long.MAX_VALUE : span * maxIncrement;
    if (Math.abs(run.sum()) > bound) {
      return Optional.of(
          new Violation(
              ErrorCode.OUT_OF_RANGE,
              "the counter run "
                  + run
                  + " at "
                  + Paths.describe(path)
                  + " sums beyond its "
                  + span
                  + " dots × ±"
                  + maxIncrement
                  + " per increment"));
    }
    if (!claimed.coversRange(run.replica(), run.first(), run.last())) {
      return Optional.of(
          new Violation(
              ErrorCode.INVALID,
              "the counter run "
                  + run
                  + " at "
                  + Paths.describe(path)
                  + " comes with a context that does not cover its whole range; the entries it"
                  + " replaces would be counted twice"));
    }
    if (mine != null) {
      for (CounterEntry held : mine.entries().values()) {
        boolean overlaps =
            held.replica().equals(run.replica())
                && held.first() <= run.last()
                && held.last() >= run.first();
        if (overlaps && (held.first() < run.first() || held.last() > run.last())) {
          return Optional.of(
              new Violation(
                  ErrorCode.OUT_OF_RANGE,
                  "the counter run "
                      + run
                      + " at "
                      + Paths.describe(path)
                      + " cuts the entry "
                      + held
                      + " the document holds; a run replaces whole entries only"));
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Violation> checkDot(
      Dot dot,
      boolean identical,
      CausalContext seen,
      Lineage lineage,
      Map<String, Long> newestOwn,
      List<String> path) {
    if (!lineage.owns(dot.replica())) {
      return Optional.of(
          new Violation(
              ErrorCode.DOT_FORGED,
              "the entry at "
                  + Paths.describe(path)
                  + " carries dot "
                  + dot
                  + " of another replica; a changeset carries only new dots of replica '"
                  + lineage.replica()
                  + "'"
                  + (lineage.predecessors().isEmpty() ? "" : " or of its predecessors")));
    }
    if (seen.contains(dot) && !identical) {
      return Optional.of(
          new Violation(
              ErrorCode.DOT_REUSED,
              "dot "
                  + dot
                  + " at "
                  + Paths.describe(path)
                  + " was already used in this document for another write; a replica never reuses a dot"));
    }
    newestOwn.merge(dot.replica(), dot.counter(), Math::max);
    return Optional.empty();
  }

  private static Optional<Violation> checkContext(
      CausalContext seen, CausalContext claimed, Lineage lineage, Map<String, Long> newestOwn) {
    for (String replica : claimed.replicas()) {
      long allowedUpTo = lineage.owns(replica) ? newestOwn.getOrDefault(replica, 0L) : 0L;
      long prefix = claimed.versionVector().getOrDefault(replica, 0L);
      if (prefix > allowedUpTo && !seen.coversRange(replica, allowedUpTo + 1, prefix)) {
        return Optional.of(contextForged(replica, prefix, lineage, allowedUpTo));
      }
      NavigableSet<Long> extra = claimed.cloud().get(replica);
      if (extra != null) {
        for (long counter : extra.tailSet(allowedUpTo, false)) {
          if (!seen.contains(replica, counter)) {
            return Optional.of(contextForged(replica, counter, lineage, allowedUpTo));
          }
        }
      }
    }
    return Optional.empty();
  }

  private static Violation contextForged(
      String replica, long counter, Lineage lineage, long allowedUpTo) {
    String why =
        lineage.owns(replica)
            ? "it is beyond the changeset's newest own dot "
                + allowedUpTo
                + " and the document never saw it"
            : "the document never saw it, and a changeset may only remove what the server already holds";
    return new Violation(
        ErrorCode.CONTEXT_FORGED,
        "the causal context claims dot "
            + replica
            + ":"
            + counter
            + " (or a dot before it); "
            + why);
  }
}
