package dev.converge.core.crdt;

import java.math.BigInteger;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A reset-remove causal counter: a DotFun from dot to long, where every increment (or decrement) is
 * a dot of its own holding its amount, and the value is the sum of the live dots.
 *
 * <p>Concurrent increments add up. Removing the enclosing map entry resets exactly the increments
 * that were seen; an increment concurrent with the remove survives with its own amount only. (A
 * counter with a single running dot per replica could not tell the seen part of a contribution from
 * the unseen part, and would resurrect what the remove saw.) The state holds one dot per increment
 * since the last remove that saw it.
 */
public final class CounterValue implements CrdtValue {

  /**
   * Default bound of one increment's absolute amount (2^31). Increments are bounded so that sums
   * stay meaningful; a server may configure another bound and refuses increments beyond it.
   */
  public static final long MAX_INCREMENT = 1L << 31;

  /** The value read saturates at ±(2^53-1), the largest integer exact in every JSON reader. */
  public static final long MAX_VALUE = Dot.MAX_COUNTER;

  private final DotFun<Long> entries;

  /** An empty counter (value 0). */
  public CounterValue() {
    this(new DotFun<>());
  }

  private CounterValue(DotFun<Long> entries) {
    this.entries = entries;
  }

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
    entries.forEachDot(sink);
  }

  /**
   * Returns the counter's value: the sum of every live contribution, computed exactly and then
   * saturated to ±{@link #MAX_VALUE}, so that no state, whatever it holds, is unreadable. The
   * result does not depend on the order contributions arrived in.
   */
  public long value() {
    long sum = 0;
    BigInteger wide = null;
    for (long contribution : entries.values()) {
      if (wide != null) {
        wide = wide.add(BigInteger.valueOf(contribution));
        continue;
      }
      long next = sum + contribution;
      // Overflow iff both operands have the sign the result lacks (Hacker's Delight 2-13).
      if (((sum ^ next) & (contribution ^ next)) < 0) {
        wide = BigInteger.valueOf(sum).add(BigInteger.valueOf(contribution));
      } else {
        sum = next;
      }
    }
    if (wide != null) {
      return wide.signum() > 0 ? MAX_VALUE : -MAX_VALUE;
    }
    return Math.max(-MAX_VALUE, Math.min(MAX_VALUE, sum));
  }

  /** Returns the contributions by dot. Read-only view, for encoders. */
  public Map<Dot, Long> entries() {
    return entries.view();
  }

  @Override
  public CounterValue copy() {
    return new CounterValue(entries.copy());
  }

  @Override
  public void join(CrdtValue other, CausalContext mine, CausalContext theirs) {
    entries.join(((CounterValue) other).entries, mine, theirs);
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
