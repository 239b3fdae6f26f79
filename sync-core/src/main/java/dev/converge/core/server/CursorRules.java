package dev.converge.core.server;

/**
 * When a reader of a space's log is served a snapshot instead of log pages (docs/protocol-2.md):
 * one copy of the rule, for the server's feeds and REST reads and for any simulation.
 */
public final class CursorRules {
  private CursorRules() {}

  /**
   * Whether a reader whose cursor is {@code since} needs a snapshot: its cursor is below what the
   * log still holds ({@code retainedAfter}, the retention horizon) or above the head (a cursor from
   * another history, e.g. a server restored from a backup).
   */
  public static boolean needsSnapshot(long since, long retainedAfter, long head) {
    return since < retainedAfter || since > head;
  }

  /**
   * Whether a WebSocket session that starts following from {@code since} gets a snapshot: as {@link
   * #needsSnapshot}, and also below the compaction point ({@code compactedThrough}), since such a
   * session was in no live set when the space's counters were compacted there (docs/crdt.md). A
   * REST reader is served the log: it is never in a live set, and the log in order keeps its state
   * right.
   */
  public static boolean followNeedsSnapshot(
      long since, long retainedAfter, long head, long compactedThrough) {
    return needsSnapshot(since, retainedAfter, head) || since < compactedThrough;
  }
}
