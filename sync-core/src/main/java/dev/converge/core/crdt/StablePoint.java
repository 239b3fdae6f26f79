package dev.converge.core.crdt;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A causally stable point of one document: for each replica {@code r}, a counter {@code n} such
 * that every dot of {@code r} with counter at most {@code n} has been seen by every live replica. A
 * replica not named has no stable dot.
 *
 * <p>What makes a point stable is the server's business (DESIGN §7): a replica's cursor is not its
 * stable point, because a remove still in its outbox carries the older context it was made with. A
 * replica's report is the lesser of its cursor and the cursor at which its oldest unacked change
 * was made; the document's stable point is the {@link #meet meet} of the reports of the live
 * replicas, each turned into the document's context at that cursor ({@link #of(CausalContext)}).
 * Compaction ({@link Document#compact}) relies on it: every remove that can still arrive was made
 * after seeing every stable dot, so it covers all of a run or none.
 *
 * <p>Immutable and thread-safe.
 *
 * @param versionVector per replica, the counter up to which its dots are stable; read-only
 */
public record StablePoint(SortedMap<String, Long> versionVector) {

  /** The point at which nothing is stable: compacting at it changes nothing. */
  public static final StablePoint NONE = new StablePoint(new TreeMap<>());

  /**
   * Creates a stable point.
   *
   * @throws IllegalArgumentException if a replica id is malformed or a counter is negative or
   *     beyond 2^53-1
   */
  public StablePoint {
    TreeMap<String, Long> copy = new TreeMap<>();
    for (Map.Entry<String, Long> entry : versionVector.entrySet()) {
      ReplicaIds.requireValid(Objects.requireNonNull(entry.getKey(), "replica"));
      long upTo = Objects.requireNonNull(entry.getValue(), "counter");
      if (upTo < 0 || upTo > Dot.MAX_COUNTER) {
        throw new IllegalArgumentException("stable counter out of range [0, 2^53-1]: " + upTo);
      }
      if (upTo > 0) {
        copy.put(entry.getKey(), upTo);
      }
    }
    versionVector = Collections.unmodifiableSortedMap(copy);
  }

  /** Returns the stable point naming {@code upTo} per replica (a zero entry names nothing). */
  public static StablePoint of(Map<String, Long> upTo) {
    return new StablePoint(new TreeMap<>(upTo));
  }

  /**
   * Returns the contiguous prefix of every replica that {@code seen} holds: the dots a replica has
   * seen without a gap. Dots seen beyond a gap are left out, so the result never claims more than
   * was seen.
   */
  public static StablePoint of(CausalContext seen) {
    return new StablePoint(new TreeMap<>(seen.versionVector()));
  }

  /** Returns the counter up to which the dots of {@code replica} are stable, or 0. */
  public long upTo(String replica) {
    return versionVector.getOrDefault(replica, 0L);
  }

  /** Returns whether {@code dot} is stable at this point. */
  public boolean isStable(Dot dot) {
    return dot.counter() <= upTo(dot.replica());
  }

  /**
   * Returns the greatest point below both: per replica the lesser counter (a replica named by one
   * point only has no stable dot). The stable point of a set of replicas is the meet of theirs.
   */
  public StablePoint meet(StablePoint other) {
    TreeMap<String, Long> lower = new TreeMap<>();
    versionVector.forEach(
        (replica, upTo) -> {
          long theirs = other.upTo(replica);
          if (theirs > 0) {
            lower.put(replica, Math.min(upTo, theirs));
          }
        });
    return new StablePoint(lower);
  }

  /** Returns whether every dot stable here is stable at {@code other} too. */
  public boolean isBelow(StablePoint other) {
    return versionVector.entrySet().stream().allMatch(e -> e.getValue() <= other.upTo(e.getKey()));
  }
}
