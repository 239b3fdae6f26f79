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
 *       document (absent from its causal context) or identical to the entry the document holds;
 *   <li>its causal context names dots of other replicas only where the document's context already
 *       holds them, and dots of its own lineage only up to the newest own dot of its store (a
 *       replica may remove what it wrote before, never pre-claim what it has not written);
 *   <li>every new counter increment is within the configured bound, and the store holds no run of
 *       increments: only the server coalesces runs, from stable dots, so a pushed run is refused as
 *       {@code out_of_range} (it carries many increments' worth in one entry).
 * </ul>
 *
 * "Already holds" means the document's causal context, not its store: two concurrent removes of one
 * item both cover a dot the first already dropped.
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
    Map<String, Long> newestOwn = new HashMap<>();
    Optional<Violation> store =
        checkMap(
            stored.root(), delta.root(), stored.context(), lineage, newestOwn, new ArrayList<>());
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

  private Optional<Violation> checkMap(
      MapValue stored,
      MapValue delta,
      CausalContext seen,
      Lineage lineage,
      Map<String, Long> newestOwn,
      List<String> path) {
    for (Map.Entry<FieldKey, CrdtValue> entry : delta.typedEntries().entrySet()) {
      CrdtValue mine =
          stored == null ? null : stored.get(entry.getKey().name(), entry.getKey().type());
      path.add(entry.getKey().name());
      Optional<Violation> violation =
          entry.getValue() instanceof MapValue map
              ? checkMap((MapValue) mine, map, seen, lineage, newestOwn, path)
              : checkLeaf(mine, entry.getValue(), seen, lineage, newestOwn, path);
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
      CausalContext seen,
      Lineage lineage,
      Map<String, Long> newestOwn,
      List<String> path) {
    if (leaf instanceof RegisterValue register) {
      for (var entry : register.entries().entrySet()) {
        boolean identical =
            mine != null
                && entry.getValue().equals(((RegisterValue) mine).entries().get(entry.getKey()));
        Optional<Violation> v = checkDot(entry.getKey(), identical, seen, lineage, newestOwn, path);
        if (v.isPresent()) {
          return v;
        }
      }
    } else if (leaf instanceof CounterValue counter) {
      for (CounterEntry entry : counter.entries().values()) {
        Dot dot = entry.dot();
        boolean identical = mine != null && entry.equals(((CounterValue) mine).entries().get(dot));
        Optional<Violation> v = checkDot(dot, identical, seen, lineage, newestOwn, path);
        if (v.isPresent()) {
          return v;
        }
        if (entry.isRun()) {
          return Optional.of(runPushed(entry, path));
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
          Optional<Violation> v =
              checkDot(dot, held != null && held.contains(dot), seen, lineage, newestOwn, path);
          if (v.isPresent()) {
            return v;
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * A run in a pushed store is refused as {@code out_of_range}: a client makes one increment per
   * dot, and a run carries the sum of up to {@code last - first + 1} increments in one entry, so it
   * is beyond what one increment may carry and the per-increment bound cannot be checked on it.
   * Only the server forms runs, from causally stable dots ({@code Document.compact}); a client that
   * sent one could also re-count, as new, increments the document already holds. Not {@code
   * dot_forged}: the run's dots may well be the pusher's own.
   */
  private static Violation runPushed(CounterEntry run, List<String> path) {
    return new Violation(
        ErrorCode.OUT_OF_RANGE,
        "the counter at "
            + Paths.describe(path)
            + " carries the run "
            + run
            + "; a changeset carries single increments only, runs are formed by the server");
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
