package dev.converge.core.crdt;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * A reset-remove causal counter: a DotFun from dot to {@link CounterEntry}, where every increment
 * (or decrement) is a dot of its own holding its amount, and the value is the sum of the live
 * entries.
 *
 * <p>Concurrent increments add up. Removing the enclosing map entry resets exactly the increments
 * that were seen; an increment concurrent with the remove survives with its own amount only. (A
 * counter with a single running dot per replica could not tell the seen part of a contribution from
 * the unseen part, and would resurrect what the remove saw.)
 *
 * <p><b>Bounded by compaction.</b> Once a replica's increments are causally stable, the server
 * coalesces them into one run per replica ({@link Document#compact}), so a counter holds
 * O(replicas) entries instead of one per increment. An entry is keyed by its last dot; where both
 * sides of a join hold an entry at one key, the one with the wider range wins ({@link
 * CounterEntry}), and a run's side has seen the dots of the entries inside its range, so the
 * ordinary DotFun rule drops them: a run subsumes the single dots and smaller runs it coalesced,
 * without counting them twice.
 */
public final class CounterValue implements CrdtValue {

  /**
   * Default bound of one increment's absolute amount (2^31). Increments are bounded so that sums
   * stay meaningful; a server may configure another bound and refuses increments beyond it.
   */
  public static final long MAX_INCREMENT = 1L << 31;

  /** The value read saturates at ±(2^53-1), the largest integer exact in every JSON reader. */
  public static final long MAX_VALUE = Dot.MAX_COUNTER;

  private final DotFun<CounterEntry> entries;

  /** An empty counter (value 0). */
  public CounterValue() {
    this(new DotFun<>());
  }

  private CounterValue(DotFun<CounterEntry> entries) {
    this.entries = entries;
  }

  void put(Dot dot, long contribution) {
    put(CounterEntry.single(dot, contribution));
  }

  void put(CounterEntry entry) {
    entries.put(entry.dot(), entry);
  }

  @Override
  public ValueType type() {
    return ValueType.COUNTER;
  }

  @Override
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Passes the key of every entry: an increment's dot, or a run's last dot. */
  @Override
  public void forEachDot(Consumer<Dot> sink) {
    entries.forEachDot(sink);
  }

  /**
   * Returns the counter's value: the sum of every live entry, computed exactly and then saturated
   * to ±{@link #MAX_VALUE}, so that no state, whatever it holds, is unreadable. The result does not
   * depend on the order entries arrived in, nor on whether they were coalesced into runs.
   */
  public long value() {
    long sum = 0;
    BigInteger wide = null;
    for (CounterEntry entry : entries.values()) {
      long contribution = entry.sum();
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

  /**
   * Returns the entries by key (an increment's dot, a run's last dot), in (replica, counter) order.
   * Read-only view, for encoders and validators.
   */
  public SortedMap<Dot, CounterEntry> entries() {
    return entries.view();
  }

  @Override
  public CounterValue copy() {
    return new CounterValue(entries.copy());
  }

  @Override
  public void join(CrdtValue other, CausalContext mine, CausalContext theirs) {
    entries.join(((CounterValue) other).entries, mine, theirs, CounterEntry::wider);
  }

  /**
   * Coalesces, per replica, the consecutive stable entries into one run, in place: an entry is
   * stable when its last dot is at most {@code stableUpTo} of its replica. An increment beyond
   * ±{@link #MAX_INCREMENT} (possible only in data stored under a wider bound) is never coalesced
   * and splits the runs around it, and a run never spans more than {@link
   * CounterEntry#MAX_RUN_SPAN} dots, so every run stays within its bound. Entries whose ranges
   * overlap (a state joined from compactions at a careless stable point) are not coalesced with
   * each other: a run over them would share a key with one of them and differ from it, and
   * compaction would no longer be an inflation.
   *
   * @param runs receives each run formed
   * @param replaced receives the key of every entry a run replaced
   */
  void compact(ToLongFunction<String> stableUpTo, CounterValue runs, CausalContext replaced) {
    List<CounterEntry> all = new ArrayList<>(entries.values());
    List<CounterEntry> group = new ArrayList<>();
    String replica = null;
    long stable = 0;
    for (CounterEntry entry : all) {
      if (!entry.replica().equals(replica)) {
        coalesce(group, runs, replaced);
        replica = entry.replica();
        stable = stableUpTo.applyAsLong(replica);
      }
      boolean eligible =
          entry.last() <= stable && (entry.isRun() || Math.abs(entry.sum()) <= MAX_INCREMENT);
      if (!eligible) {
        coalesce(group, runs, replaced);
      } else {
        if (!group.isEmpty()
            && (entry.first() <= group.get(group.size() - 1).last()
                || entry.last() - group.get(0).first() >= CounterEntry.MAX_RUN_SPAN)) {
          coalesce(group, runs, replaced);
        }
        group.add(entry);
      }
    }
    coalesce(group, runs, replaced);
  }

  /** Replaces the entries of {@code group} (one replica, in order) by one run; then clears it. */
  private void coalesce(List<CounterEntry> group, CounterValue runs, CausalContext replaced) {
    if (group.size() > 1) {
      BigInteger sum = BigInteger.ZERO;
      long first = Long.MAX_VALUE;
      for (CounterEntry entry : group) {
        sum = sum.add(BigInteger.valueOf(entry.sum()));
        first = Math.min(first, entry.first());
      }
      CounterEntry last = group.get(group.size() - 1);
      CounterEntry run = null;
      try {
        // bitLength, not longValueExact, which Android API 26 lacks.
        if (sum.bitLength() > 63) {
          throw new ArithmeticException("a run's sum beyond a long");
        }
        run = CounterEntry.run(last.replica(), first, last.last(), sum.longValue());
      } catch (IllegalArgumentException | ArithmeticException e) {
        // Disjoint entries within their bounds sum within the run's bound; should that ever fail,
        // leave them as they are rather than store a run that would not decode.
      }
      if (run != null) {
        for (CounterEntry entry : group) {
          entries.remove(entry.dot());
          replaced.add(entry.dot());
        }
        put(run);
        runs.put(run);
      }
    }
    group.clear();
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
    return "ctr" + entries.values();
  }
}
