package dev.converge.core.crdt;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The set of dots a state has seen, stored compactly as a version vector (for each replica the
 * contiguous prefix {@code 1..n}) plus a dot cloud (the seen dots beyond a gap).
 *
 * <p>It is always kept compact: a dot that closes a gap is folded into the version vector together
 * with the cloud dots that follow it, so two contexts holding the same dots are {@link
 * #equals(Object) equal}. It remembers removals, which is why states need no tombstones.
 *
 * <p>Mutable and not thread-safe; {@link #copy()} before sharing.
 */
public final class CausalContext {

  private final TreeMap<String, Long> versionVector = new TreeMap<>();
  private final TreeMap<String, TreeSet<Long>> cloud = new TreeMap<>();

  /** An empty context. */
  public CausalContext() {}

  /** Returns a context holding exactly the given dots. */
  public static CausalContext of(Iterable<Dot> dots) {
    CausalContext context = new CausalContext();
    for (Dot dot : dots) {
      context.add(dot);
    }
    return context;
  }

  /** Returns whether this context has seen {@code dot}. */
  public boolean contains(Dot dot) {
    return contains(dot.replica(), dot.counter());
  }

  /** Returns whether this context has seen the event {@code counter} of {@code replica}. */
  public boolean contains(String replica, long counter) {
    Long prefix = versionVector.get(replica);
    if (prefix != null && counter <= prefix) {
      return true;
    }
    TreeSet<Long> extra = cloud.get(replica);
    return extra != null && extra.contains(counter);
  }

  /**
   * Returns whether every event {@code from..to} (inclusive) of {@code replica} was seen; true for
   * an empty range. Costs O(log n) plus the cloud dots in the range, never the length of the range.
   */
  public boolean coversRange(String replica, long from, long to) {
    long start = Math.max(from, versionVector.getOrDefault(replica, 0L) + 1);
    if (to < start) {
      return true;
    }
    TreeSet<Long> extra = cloud.get(replica);
    long needed = to - start + 1;
    return extra != null
        && needed <= extra.size()
        && extra.subSet(start, true, to, true).size() == needed;
  }

  /** Records {@code dot} as seen, compacting if it closes a gap. */
  public void add(Dot dot) {
    add(dot.replica(), dot.counter());
  }

  /** Records event {@code counter} of {@code replica} as seen. */
  public void add(String replica, long counter) {
    long prefix = versionVector.getOrDefault(replica, 0L);
    if (counter <= prefix) {
      return;
    }
    if (counter == prefix + 1) {
      long next = counter;
      TreeSet<Long> extra = cloud.get(replica);
      if (extra != null) {
        while (!extra.isEmpty() && extra.first() == next + 1) {
          next = extra.pollFirst();
        }
        if (extra.isEmpty()) {
          cloud.remove(replica);
        }
      }
      versionVector.put(replica, next);
    } else {
      cloud.computeIfAbsent(replica, r -> new TreeSet<>()).add(counter);
    }
  }

  /** Records the whole prefix {@code 1..upTo} of {@code replica} as seen. */
  public void addPrefix(String replica, long upTo) {
    long prefix = versionVector.getOrDefault(replica, 0L);
    if (upTo <= prefix) {
      return;
    }
    TreeSet<Long> extra = cloud.get(replica);
    if (extra != null) {
      extra.headSet(upTo, true).clear();
      if (extra.isEmpty()) {
        cloud.remove(replica);
      }
    }
    versionVector.put(replica, upTo - 1);
    add(replica, upTo);
  }

  /** Adds every dot of {@code other} to this context (set union). */
  public void addAll(CausalContext other) {
    if (other == this) {
      return;
    }
    other.versionVector.forEach(this::addPrefix);
    other.cloud.forEach((replica, counters) -> counters.forEach(c -> add(replica, c)));
  }

  /** Returns the greatest event number of {@code replica} this context has seen, or 0. */
  public long max(String replica) {
    long prefix = versionVector.getOrDefault(replica, 0L);
    TreeSet<Long> extra = cloud.get(replica);
    return extra == null ? prefix : Math.max(prefix, extra.last());
  }

  /** Returns the dot a new event of {@code replica} gets: one past everything seen of it. */
  public Dot nextDot(String replica) {
    return new Dot(replica, max(replica) + 1);
  }

  /** Returns whether this context has seen nothing. */
  public boolean isEmpty() {
    return versionVector.isEmpty() && cloud.isEmpty();
  }

  /** Returns the version vector: for each replica the contiguous prefix seen. Read-only view. */
  public SortedMap<String, Long> versionVector() {
    return Collections.unmodifiableSortedMap(versionVector);
  }

  /** Returns the seen counters beyond each replica's prefix. Read-only view. */
  public SortedMap<String, NavigableSet<Long>> cloud() {
    TreeMap<String, NavigableSet<Long>> view = new TreeMap<>();
    cloud.forEach(
        (replica, counters) -> view.put(replica, Collections.unmodifiableNavigableSet(counters)));
    return Collections.unmodifiableSortedMap(view);
  }

  /** Returns every replica this context mentions, in order. */
  public NavigableSet<String> replicas() {
    TreeSet<String> replicas = new TreeSet<>(versionVector.keySet());
    replicas.addAll(cloud.keySet());
    return replicas;
  }

  /** Returns whether every dot of {@code other} is in this context. */
  public boolean includes(CausalContext other) {
    for (Map.Entry<String, Long> entry : other.versionVector.entrySet()) {
      if (versionVector.getOrDefault(entry.getKey(), 0L) < entry.getValue()) {
        // The prefix may still be covered by cloud dots only if they fill it; compact form rules
        // that out.
        return false;
      }
    }
    for (Map.Entry<String, TreeSet<Long>> entry : other.cloud.entrySet()) {
      for (long counter : entry.getValue()) {
        if (!contains(entry.getKey(), counter)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Returns an independent copy. */
  public CausalContext copy() {
    CausalContext copy = new CausalContext();
    copy.versionVector.putAll(versionVector);
    cloud.forEach((replica, counters) -> copy.cloud.put(replica, new TreeSet<>(counters)));
    return copy;
  }

  /** Returns the number of dots this context has seen. */
  public long size() {
    long size = 0;
    for (long prefix : versionVector.values()) {
      size += prefix;
    }
    for (TreeSet<Long> counters : cloud.values()) {
      size += counters.size();
    }
    return size;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CausalContext other
        && versionVector.equals(other.versionVector)
        && cloud.equals(other.cloud);
  }

  @Override
  public int hashCode() {
    return versionVector.hashCode() * 31 + cloud.hashCode();
  }

  @Override
  public String toString() {
    return "CausalContext{vv=" + versionVector + ", cloud=" + cloud + "}";
  }
}
