package dev.converge.core.crdt;

import java.util.Collection;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;

/**
 * A DotFun: the dot store that maps each dot to a value, shared by registers and counters (Almeida,
 * Shoker, Baquero, "Delta State Replicated Data Types", JPDC 2018, causal dot stores).
 *
 * <p>Join of (m1, c1) and (m2, c2): an entry held by both sides stays; an entry held by one side
 * only stays if the other side's causal context has not seen its dot (if it has, the other side
 * removed or superseded it). Contexts are united by the caller, once per document.
 *
 * <p>Mutable and not thread-safe; owned by one value.
 *
 * @param <V> the value held at each dot
 */
final class DotFun<V> {

  private final TreeMap<Dot, V> entries = new TreeMap<>();

  /** Puts {@code value} at {@code dot}, replacing what was there. */
  void put(Dot dot, V value) {
    entries.put(dot, value);
  }

  /** Removes the entry at {@code dot}, if any. */
  void remove(Dot dot) {
    entries.remove(dot);
  }

  /** Returns the value at {@code dot}, or {@code null}. */
  V get(Dot dot) {
    return entries.get(dot);
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  int size() {
    return entries.size();
  }

  void forEachDot(Consumer<Dot> sink) {
    entries.keySet().forEach(sink);
  }

  /** Returns the values in dot order. Read-only view. */
  Collection<V> values() {
    return Collections.unmodifiableCollection(entries.values());
  }

  /** Returns the entries in dot order. Read-only view. */
  NavigableMap<Dot, V> view() {
    return Collections.unmodifiableNavigableMap(entries);
  }

  /** Returns a copy; values are shared, so they must be immutable. */
  DotFun<V> copy() {
    DotFun<V> copy = new DotFun<>();
    copy.entries.putAll(entries);
    return copy;
  }

  /**
   * Joins {@code other} into this store, keeping this side's value where both hold a dot (a dot
   * names one write, so both sides hold the same value there).
   *
   * @param mine the context of the state this store belongs to
   * @param theirs the context of the state {@code other} belongs to
   */
  void join(DotFun<V> other, CausalContext mine, CausalContext theirs) {
    join(other, mine, theirs, (kept, ignored) -> kept);
  }

  /**
   * Joins {@code other} into this store; where both hold a dot, the entry becomes {@code
   * common.apply(mine, theirs)}, which must be commutative, associative and idempotent so that the
   * join stays a join.
   */
  void join(DotFun<V> other, CausalContext mine, CausalContext theirs, BinaryOperator<V> common) {
    if (!theirs.isEmpty()) {
      entries
          .entrySet()
          .removeIf(e -> !other.entries.containsKey(e.getKey()) && theirs.contains(e.getKey()));
    }
    other.entries.forEach(
        (dot, value) -> {
          V held = entries.get(dot);
          if (held != null) {
            V merged = common.apply(held, value);
            if (merged != held) {
              entries.put(dot, merged);
            }
          } else if (!mine.contains(dot)) {
            entries.put(dot, value);
          }
        });
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DotFun<?> other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return entries.toString();
  }
}
