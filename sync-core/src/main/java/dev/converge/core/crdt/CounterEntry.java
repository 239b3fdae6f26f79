package dev.converge.core.crdt;

import java.util.Objects;

/**
 * One entry of a counter: a single increment, or a <em>run</em> of one replica's increments that
 * the server coalesced once they were causally stable.
 *
 * <p>A run {@code (replica, first, last, sum)} stands for "this replica's increments at this
 * counter whose dots lie in {@code [first, last]}", with their exact sum. Dots are numbered per
 * document, so the replica's dots inside the range may belong to other fields: the run does not
 * know its members, only its range. A single increment is the run {@code [d, d]}.
 *
 * <p>An entry is keyed by its {@link #dot() last dot}, and a causal context covers it when it
 * covers that dot. For a run this is sound only because runs are formed from stable dots (see
 * {@link StablePoint}): every remove that can still arrive was made after seeing every member, so
 * it covers all of them or none, and covering the last one decides.
 *
 * <p>Sums are bounded so that a run can never carry an overflow: a single increment's amount is
 * within ±{@link CounterValue#MAX_VALUE}, and a run's sum within {@code (last - first + 1) *}
 * {@link CounterValue#MAX_INCREMENT}, which {@link #MAX_RUN_SPAN} keeps within ±{@link
 * CounterValue#MAX_VALUE}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param dot the entry's key: the increment's dot, or the run's last member
 * @param first the counter of the first dot of the range; {@code dot.counter()} for an increment
 * @param sum the increment's amount, or the exact sum of the run's members
 */
public record CounterEntry(Dot dot, long first, long sum) {

  /**
   * The widest range a run spans, {@code floor((2^53-1) / 2^31)} dots: a run's sum, bounded by its
   * span times {@link CounterValue#MAX_INCREMENT}, then stays exact in every JSON reader.
   */
  public static final long MAX_RUN_SPAN = CounterValue.MAX_VALUE / CounterValue.MAX_INCREMENT;

  /**
   * Creates an entry.
   *
   * @throws IllegalArgumentException if {@code first} is not within {@code [1, dot.counter()]}, a
   *     run spans more than {@link #MAX_RUN_SPAN} dots, or the sum is beyond its bound
   */
  public CounterEntry {
    Objects.requireNonNull(dot, "dot");
    if (first < 1 || first > dot.counter()) {
      throw new IllegalArgumentException(
          "a run's first dot must be within [1, last]: first " + first + ", last " + dot.counter());
    }
    if (sum > CounterValue.MAX_VALUE || sum < -CounterValue.MAX_VALUE) {
      throw new IllegalArgumentException("amount beyond ±(2^53-1): " + sum);
    }
    long span = dot.counter() - first + 1;
    if (span > 1) {
      if (span > MAX_RUN_SPAN) {
        throw new IllegalArgumentException(
            "a run spans at most " + MAX_RUN_SPAN + " dots, got " + span);
      }
      // Each member is one increment within ±MAX_INCREMENT, and the members are at most the span.
      long magnitude = Math.abs(sum);
      if ((magnitude + CounterValue.MAX_INCREMENT - 1) / CounterValue.MAX_INCREMENT > span) {
        throw new IllegalArgumentException(
            "run sum "
                + sum
                + " is beyond its bound of "
                + span
                + " dots × 2^31 (each member is one increment)");
      }
    }
  }

  /** Returns the entry of a single increment of {@code amount} at {@code dot}. */
  public static CounterEntry single(Dot dot, long amount) {
    return new CounterEntry(dot, dot.counter(), amount);
  }

  /**
   * Returns a run of {@code replica}'s increments with dots in {@code [first, last]}, summing to
   * {@code sum}.
   *
   * @throws IllegalArgumentException if {@code first >= last} (one dot is a single increment), or
   *     as {@link #CounterEntry the constructor}
   */
  public static CounterEntry run(String replica, long first, long last, long sum) {
    if (first >= last) {
      throw new IllegalArgumentException(
          "a run spans at least two dots (first < last): first " + first + ", last " + last);
    }
    return new CounterEntry(new Dot(replica, last), first, sum);
  }

  /** Returns the replica whose increments this entry holds. */
  public String replica() {
    return dot.replica();
  }

  /** Returns the counter of the last dot of the range (of the increment's dot, for a single). */
  public long last() {
    return dot.counter();
  }

  /** Returns whether this entry is a run of several dots rather than a single increment. */
  public boolean isRun() {
    return first < dot.counter();
  }

  /**
   * Returns whichever of two entries at the same key holds more: the one whose range starts earlier
   * (a run formed later absorbs the entries before it), else the greater sum. Commutative,
   * associative and idempotent, so that joining entries at one key stays a join.
   */
  static CounterEntry wider(CounterEntry a, CounterEntry b) {
    if (a.first != b.first) {
      return a.first < b.first ? a : b;
    }
    return a.sum >= b.sum ? a : b;
  }

  @Override
  public String toString() {
    return isRun() ? replica() + ":" + first + ".." + last() + "=" + sum : dot + "=" + sum;
  }
}
