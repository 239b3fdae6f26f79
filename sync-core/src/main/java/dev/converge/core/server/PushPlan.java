package dev.converge.core.server;

import dev.converge.core.protocol.Changeset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a push needs read before it can be decided, from {@link PushRules#plan}: the records of the
 * seqs it repeats, and per space (in lock order) the documents its new changesets touch.
 *
 * <p>Immutable once made.
 */
public final class PushPlan {

  final Replica replica;
  final List<Changeset> changesets;
  final List<Changeset> repeated;
  final List<Changeset> forbidden;
  final SortedMap<String, List<Changeset>> bySpace;
  final Set<String> readOnly;

  PushPlan(
      Replica replica,
      List<Changeset> changesets,
      List<Changeset> repeated,
      List<Changeset> forbidden,
      Map<String, List<Changeset>> bySpace,
      Set<String> readOnly) {
    this.readOnly = Set.copyOf(readOnly);
    this.replica = replica;
    this.changesets = List.copyOf(changesets);
    this.repeated = List.copyOf(repeated);
    this.forbidden = List.copyOf(forbidden);
    TreeMap<String, List<Changeset>> spaces = new TreeMap<>();
    bySpace.forEach((space, list) -> spaces.put(space, List.copyOf(list)));
    this.bySpace = java.util.Collections.unmodifiableSortedMap(spaces);
  }

  /** Returns the pushing replica's id. */
  public String replicaId() {
    return replica.replicaId();
  }

  /** Returns the last seq of the push: every seq up to it is consumed once the push commits. */
  public long upToSeq() {
    return changesets.get(changesets.size() - 1).toSeq();
  }

  /** Returns how many changesets of the push repeat consumed seqs. */
  public int repeatedCount() {
    return repeated.size();
  }

  /**
   * Returns the smallest seq a log entry that overlaps a repeated changeset may start at: a range
   * covers at most {@link Changeset#MAX_RANGE} seqs, so the read of the log is bounded. Meaningful
   * only when {@link #repeatedCount()} is above 0.
   */
  public long repeatedScanFrom() {
    return Math.max(1, repeated.get(0).seq() - Changeset.MAX_RANGE + 1);
  }

  /** Returns the first repeated seq (when {@link #repeatedCount()} is above 0). */
  public long repeatedFrom() {
    return repeated.get(0).seq();
  }

  /** Returns the last repeated seq (when {@link #repeatedCount()} is above 0). */
  public long repeatedThrough() {
    return repeated.get(repeated.size() - 1).toSeq();
  }

  /**
   * Returns whether a log entry of this replica overlaps the repeated seqs {@link #repeatedFrom()}
   * ..{@link #repeatedThrough()}: the entries {@link PushRules#decide} compares with the re-push.
   */
  public boolean overlapsRepeated(LogEntry entry) {
    return !repeated.isEmpty()
        && entry.replicaId().equals(replica.replicaId())
        && entry.seq() <= repeatedThrough()
        && entry.toSeq() >= repeatedFrom();
  }

  /**
   * Returns the seqs the replica had already consumed: read their log entries and refusal records
   * (of this replica) for {@link PushRules#decide}.
   */
  public List<Long> repeatedSeqs() {
    return repeated.stream()
        .map(Changeset::seq)
        .collect(Collectors.collectingAndThen(Collectors.toList(), Collections::unmodifiableList));
  }

  /**
   * Returns the spaces new changesets are applied to, in the order their locks must be taken
   * (sorted, so that concurrent pushes cannot deadlock).
   */
  public List<String> spaces() {
    return new ArrayList<>(bySpace.keySet());
  }

  /**
   * Returns how many new changesets the push carries into each granted space: what rate limits
   * charge.
   */
  public Map<String, Integer> changesetsPerSpace() {
    Map<String, Integer> counts = new TreeMap<>();
    bySpace.forEach((space, list) -> counts.put(space, list.size()));
    return counts;
  }

  /** Returns the documents of {@code space} the push touches, in first-touched order. */
  public List<DocumentRef> documents(String space) {
    Set<DocumentRef> refs = new LinkedHashSet<>();
    for (Changeset c : bySpace.getOrDefault(space, List.of())) {
      refs.add(new DocumentRef(space, c.collection(), c.docId()));
    }
    return new ArrayList<>(refs);
  }
}
