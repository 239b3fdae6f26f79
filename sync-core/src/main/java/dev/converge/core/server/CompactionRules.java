package dev.converge.core.server;

import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.CrdtValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.MapValue;
import dev.converge.core.crdt.StablePoint;
import dev.converge.core.protocol.ProtocolCodec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The server's rules for bounded counters (DESIGN §2, §7; docs/crdt.md "Bounded counters: the
 * server's rules"), I/O-free: where a space's compaction point lies, which per-document {@link
 * StablePoint} follows from it, and what compacting one stored document at it writes.
 *
 * <p><b>Compaction point of a space</b> ({@link #compactionPoint}): the least stable point of the
 * space's live replicas, never below the retention horizon (a replica whose point is below it has
 * left the live set: it needs a snapshot anyway) and never above the head; the head when the live
 * set is empty.
 *
 * <p><b>Stable point of a document at compaction point {@code P}</b> ({@link #stablePoint}): per
 * replica, the contiguous prefix the document's context holds, capped below the first store dot of
 * that replica in any log entry of the document above {@code P} (compaction entries aside). Every
 * counter entry at or below the point, and every member of a run at or below it, was then
 * introduced by a log entry at or below {@code P}: every live replica has seen it, so a remove that
 * can still arrive covers all of a run or none of it. The argument, and why only store dots count,
 * is in docs/crdt.md.
 *
 * <p>Immutable and thread-safe.
 */
public final class CompactionRules {

  /**
   * The replica id under which compaction entries are logged (the {@code origin} of their {@code
   * changes} items). The server reserves it (no token subject owns it), so no client can push under
   * it; devices join its entries like any change.
   */
  public static final String ORIGIN = "converge.compaction";

  private final ProtocolCodec codec;
  private final ProtocolCodec stored;
  private final int maxEntriesPerDocument;

  /**
   * Creates the rules.
   *
   * @param codec encodes the new states and compaction deltas; stored data is decoded with its
   *     {@link ProtocolCodec#forStoredData() stored-data} companion
   * @param maxEntriesPerDocument the most counter entries one compaction of one document replaces,
   *     which bounds the size of the compaction delta every device receives; the rest waits for the
   *     next pass
   * @throws IllegalArgumentException if {@code maxEntriesPerDocument} is below 2
   */
  public CompactionRules(ProtocolCodec codec, int maxEntriesPerDocument) {
    if (maxEntriesPerDocument < 2) {
      throw new IllegalArgumentException("maxEntriesPerDocument < 2: " + maxEntriesPerDocument);
    }
    this.codec = Objects.requireNonNull(codec, "codec");
    this.stored = codec.forStoredData();
    this.maxEntriesPerDocument = maxEntriesPerDocument;
  }

  /**
   * Returns the compaction point of a space.
   *
   * @param head the space's head
   * @param retainedAfter its retention horizon: changes at or below it are gone from the log
   * @param live the stable points of its live replicas (points below the horizon are ignored: those
   *     replicas left the live set)
   * @return the least live point within {@code [retainedAfter, head]}, or {@code head} when no live
   *     replica remains
   */
  public static long compactionPoint(long head, long retainedAfter, Collection<Long> live) {
    long least = head;
    for (long point : live) {
      if (point >= retainedAfter) {
        least = Math.min(least, point);
      }
    }
    return Math.max(retainedAfter, Math.min(head, least));
  }

  /**
   * Returns the stable point of a document at a compaction point {@code P}.
   *
   * @param state the document's stored state
   * @param pushedAbove the deltas of every log entry of this document above {@code P}, compaction
   *     entries excepted (their runs are keyed by dots the document already held)
   */
  public static StablePoint stablePoint(Document state, Collection<Document> pushedAbove) {
    Map<String, Long> upTo = new TreeMap<>(state.context().versionVector());
    for (Document delta : pushedAbove) {
      delta
          .root()
          .forEachDot(
              dot -> {
                Long held = upTo.get(dot.replica());
                if (held != null && dot.counter() <= held) {
                  upTo.put(dot.replica(), dot.counter() - 1);
                }
              });
    }
    return StablePoint.of(upTo);
  }

  /**
   * Lowers {@code point} so that compacting {@code state} at it replaces about {@code maxEntries}
   * counter entries at most: each replica whose coalescible entries pass its share of the budget
   * keeps only its oldest ones eligible. A replica's share is at least 2, so every pass that has
   * work makes progress; compaction is monotone, so the rest is coalesced by later passes.
   */
  public static StablePoint bounded(Document state, StablePoint point, int maxEntries) {
    // Per replica, its eligible entries as (key, counter): which counter matters, since an entry
    // alone in its counter is not replaced by anything.
    Map<String, List<long[]>> eligible = new TreeMap<>();
    int[] counters = {0};
    forEachCounter(
        state.root(),
        counter -> {
          long index = counters[0]++;
          counter
              .entries()
              .values()
              .forEach(
                  entry -> {
                    if (entry.last() <= point.upTo(entry.replica())
                        && (entry.isRun() || Math.abs(entry.sum()) <= CounterValue.MAX_INCREMENT)) {
                      eligible
                          .computeIfAbsent(entry.replica(), r -> new ArrayList<>())
                          .add(new long[] {entry.last(), index});
                    }
                  });
        });
    Map<String, Long> replaced = new TreeMap<>();
    eligible.forEach((replica, keys) -> replaced.put(replica, replacedUpTo(keys, Long.MAX_VALUE)));
    long total = replaced.values().stream().mapToLong(Long::longValue).sum();
    if (total <= maxEntries) {
      return point;
    }
    long withWork = replaced.values().stream().filter(n -> n > 0).count();
    long share = Math.max(2, maxEntries / withWork);
    Map<String, Long> lowered = new TreeMap<>(point.versionVector());
    eligible.forEach(
        (replica, keys) -> {
          if (replaced.get(replica) > share) {
            keys.sort((x, y) -> Long.compare(x[0], y[0]));
            Map<Long, Integer> perCounter = new HashMap<>();
            long count = 0;
            long upTo = 0;
            for (long[] key : keys) {
              int held = perCounter.merge(key[1], 1, Integer::sum);
              count += held == 2 ? 2 : held > 2 ? 1 : 0;
              if (count > share) {
                break;
              }
              upTo = key[0];
            }
            lowered.put(replica, upTo);
          }
        });
    return StablePoint.of(lowered);
  }

  /** Entries of {@code keys} at or below {@code upTo} that share their counter with another. */
  private static long replacedUpTo(List<long[]> keys, long upTo) {
    Map<Long, Integer> perCounter = new HashMap<>();
    for (long[] key : keys) {
      if (key[0] <= upTo) {
        perCounter.merge(key[1], 1, Integer::sum);
      }
    }
    return perCounter.values().stream().filter(n -> n > 1).mapToLong(Integer::longValue).sum();
  }

  /** Returns how many counter entries (single increments and runs) {@code state} holds. */
  public static int counterEntries(Document state) {
    int[] count = {0};
    forEachCounter(state.root(), counter -> count[0] += counter.entries().size());
    return count[0];
  }

  /**
   * Compacts one stored document at compaction point {@code point}.
   *
   * @param storedState the document's stored state (decoded as stored data)
   * @param point the space's compaction point
   * @param above every log entry of the document above {@code point}, compaction entries included
   *     (they are skipped), in any order
   * @return the new state and the compaction delta to log, or neither when nothing was coalesced;
   *     and when the document is due for its next look
   */
  public DocumentCompaction compact(String storedState, long point, List<LoggedDelta> above) {
    Document state = stored.decodeDocument(storedState);
    List<Document> pushed = new ArrayList<>();
    Long nextDue = null;
    for (LoggedDelta entry : above) {
      if (entry.serverSeq() <= point) {
        throw new IllegalArgumentException(
            "entry " + entry.serverSeq() + " is not above the compaction point " + point);
      }
      if (ORIGIN.equals(entry.replicaId())) {
        continue;
      }
      pushed.add(stored.decodeDocument(entry.deltaJson()));
      nextDue = nextDue == null ? entry.serverSeq() : Math.min(nextDue, entry.serverSeq());
    }
    StablePoint stable = stablePoint(state, pushed);
    StablePoint limited = bounded(state, stable, maxEntriesPerDocument);
    if (!limited.equals(stable)) {
      // Entries are left for the next pass: the document is due again at once.
      nextDue = point;
    }
    int before = counterEntries(state);
    Document delta = state.compact(limited);
    if (delta.isEmpty()) {
      return new DocumentCompaction(null, null, before, before, nextDue);
    }
    return new DocumentCompaction(
        codec.encodeDocument(state),
        codec.encodeDocument(delta),
        before,
        counterEntries(state),
        nextDue);
  }

  private static void forEachCounter(MapValue map, Consumer<CounterValue> sink) {
    for (CrdtValue value : map.typedEntries().values()) {
      if (value instanceof CounterValue counter) {
        sink.accept(counter);
      } else if (value instanceof MapValue child) {
        forEachCounter(child, sink);
      }
    }
  }

  /**
   * One log entry of a document, as compaction reads it.
   *
   * @param serverSeq its position in the space's log
   * @param replicaId its origin's replica ({@link #ORIGIN} for a compaction entry)
   * @param deltaJson its delta in the wire encoding
   */
  public record LoggedDelta(long serverSeq, String replicaId, String deltaJson) {
    /** Creates the entry. */
    public LoggedDelta {
      Objects.requireNonNull(replicaId, "replicaId");
      Objects.requireNonNull(deltaJson, "deltaJson");
    }
  }

  /**
   * What compacting one document writes.
   *
   * @param stateJson the new state, or null when nothing was coalesced (the state is unchanged)
   * @param deltaJson the compaction delta to log and fan out, or null when nothing was coalesced
   * @param entriesBefore counter entries the document held before
   * @param entriesAfter counter entries it holds after
   * @param nextDue the serverSeq from which the document is due for its next look: its first change
   *     above the compaction point (or the point itself when this pass left work), null when none
   */
  public record DocumentCompaction(
      String stateJson, String deltaJson, int entriesBefore, int entriesAfter, Long nextDue) {

    /** Returns whether anything was coalesced. */
    public boolean compacted() {
      return deltaJson != null;
    }
  }
}
