package dev.converge.core.trust;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;

/**
 * Whether a counter run stands for exactly what a document already holds: the document holds an
 * entry at the run's key, has seen its whole range, and the entries of its replica there that
 * overlap the range all lie inside it and sum to the run's sum. Such a run (formed by compaction
 * after the backup a server was restored from, over increments the backup holds) replaces those
 * entries without changing the counter's value, so both the trust boundary ({@link DeltaVerifier})
 * and the repair ({@link RepairDelta}) accept it although its key is a dot the document has seen.
 */
final class RunReplacement {
  private RunReplacement() {}

  static boolean replacesExactly(CounterEntry run, CounterValue stored, CausalContext seen) {
    if (stored == null
        || !run.isRun()
        || !stored.entries().containsKey(run.dot())
        || !seen.coversRange(run.replica(), run.first(), run.last())) {
      return false;
    }
    long sum = 0;
    for (CounterEntry held : stored.entries().values()) {
      boolean overlaps =
          held.replica().equals(run.replica())
              && held.first() <= run.last()
              && held.last() >= run.first();
      if (overlaps) {
        if (held.first() < run.first() || held.last() > run.last()) {
          return false;
        }
        // Entries inside a run's range sum within its bound (2^53-1 at most): no overflow.
        sum += held.sum();
      }
    }
    return sum == run.sum();
  }
}
