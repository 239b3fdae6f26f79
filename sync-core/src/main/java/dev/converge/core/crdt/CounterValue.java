package dev.converge.core.crdt;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A reset-remove causal counter: a DotFun from dot to long, where every increment (or decrement)
 * is a dot of its own holding its amount, and the value is the sum of the live dots.
 *
 * <p>Concurrent increments add up. Removing the enclosing map entry resets exactly the increments
 * that were seen; an increment concurrent with the remove survives with its own amount only. (A
 * counter with a single running dot per replica could not tell the seen part of a contribution
 * from the unseen part, and would resurrect what the remove saw.) The state holds one dot per
 * increment since the last remove that saw it.
 */
public final class CounterValue implements CrdtValue {

  private final TreeMap<Dot, Long> entries = new TreeMap<>();

  /** An empty counter (value 0). */
  public CounterValue() {}

  void put(Dot dot, long contribution) {
    entries.put(dot, contribution);
  }

  @Override
  public ValueType type() {
    return ValueType.COUNTER;
  }

  @Override
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public void forEachDot(Consumer<Dot> sink) {
    entries.keySet().forEach(sink);
  }

  /**
   * Returns the counter's value, the sum of every live contribution.
   *
   * @throws CrdtException if the sum overflows a long
   */
  public long value() {
    long sum = 0;
    for (long contribution : entries.values()) {
      try {
        sum = Math.addExact(sum, contribution);
      } catch (ArithmeticException e) {
        throw new CrdtException("counter value overflows a 64-bit integer");
      }
    }
    return sum;
  }

  /** Returns the contributions by dot. Read-only view, for encoders. */
  public Map<Dot, Long> entries() {
    return Collections.unmodifiableMap(entries);
  }

  @Override
  public CounterValue copy() {
    CounterValue copy = new CounterValue();
    copy.entries.putAll(entries);
    return copy;
  }

  @Override
  public void join(CrdtValue other, CausalContext mine, CausalContext theirs) {
    DotFunJoin.join(entries, ((CounterValue) other).entries, mine, theirs);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CounterValue other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "ctr" + entries;
  }
}
