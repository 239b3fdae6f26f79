package dev.converge.core.crdt;

import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Counter compaction (DESIGN §2, §7): coalesces every counter's stable entries into one run per
 * replica, in place, and builds the delta that carries the runs to other replicas. See {@link
 * Document#compact(StablePoint)}.
 */
final class CounterCompaction {
  private CounterCompaction() {}

  /**
   * Compacts the counters under {@code root} at {@code stable}, clamped to what {@code context} has
   * seen without a gap, and returns the compaction delta.
   */
  static Document compact(MapValue root, CausalContext context, StablePoint stable) {
    // A point beyond what this document has seen would call stable a dot it may still receive.
    Map<String, Long> seen = context.versionVector();
    ToLongFunction<String> upTo =
        replica -> Math.min(stable.upTo(replica), seen.getOrDefault(replica, 0L));
    CausalContext replaced = new CausalContext();
    MapValue runs = compact(root, upTo, replaced);
    return new Document(runs == null ? new MapValue() : runs, replaced);
  }

  /** Compacts the counters under {@code map}; returns the runs formed under it, or null. */
  private static MapValue compact(
      MapValue map, ToLongFunction<String> upTo, CausalContext replaced) {
    MapValue delta = null;
    for (Map.Entry<FieldKey, CrdtValue> entry : map.typedEntries().entrySet()) {
      CrdtValue formed = null;
      if (entry.getValue() instanceof CounterValue counter) {
        CounterValue runs = new CounterValue();
        counter.compact(upTo, runs, replaced);
        formed = runs.isEmpty() ? null : runs;
      } else if (entry.getValue() instanceof MapValue child) {
        formed = compact(child, upTo, replaced);
      }
      if (formed != null) {
        if (delta == null) {
          delta = new MapValue();
        }
        delta.put(entry.getKey().name(), formed);
      }
    }
    return delta;
  }
}
