package dev.converge.core.trust;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.MapValue;
import java.util.Map;
import java.util.NavigableSet;

/**
 * What a refused changeset leaves behind (DESIGN §7): a context-only delta holding the pusher's own
 * dots that the refused changeset introduced and the document has not seen. Joined into the
 * document and fanned out like any change, it lets the pusher's device drop the refused value on
 * its own (its context now covers a dot no store holds), and it keeps contexts free of holes, so
 * they stay compact.
 *
 * <p>It never covers a dot the document already saw, so joining it removes nothing the server held;
 * and it never covers another replica's dots. I/O-free and thread-safe.
 */
public final class RefusedDots {

  /**
   * Past this many dots of one replica the refused changeset is not an honest device's (one
   * changeset introduces a handful); nothing is recorded for that replica rather than a huge cloud.
   */
  static final long MAX_DOTS_PER_REPLICA = 10_000;

  private RefusedDots() {}

  /**
   * Returns the context-only delta for refusing {@code delta} against {@code stored}; its context
   * is empty when there is nothing to record.
   */
  public static Document of(Document stored, Document delta, Lineage lineage) {
    CausalContext seen = stored.context();
    CausalContext claimed = delta.context();
    CausalContext refused = new CausalContext();
    for (Map.Entry<String, Long> own : DeltaVerifier.newestOwnDots(delta, lineage).entrySet()) {
      String replica = own.getKey();
      long upTo = own.getValue();
      CausalContext mine = new CausalContext();
      long prefixEnd = Math.min(upTo, claimed.versionVector().getOrDefault(replica, 0L));
      long prefixStart = seen.versionVector().getOrDefault(replica, 0L) + 1;
      if (prefixEnd - prefixStart >= MAX_DOTS_PER_REPLICA) {
        continue;
      }
      for (long counter = prefixStart; counter <= prefixEnd; counter++) {
        if (!seen.contains(replica, counter)) {
          mine.add(replica, counter);
        }
      }
      NavigableSet<Long> extra = claimed.cloud().get(replica);
      if (extra != null) {
        for (long counter : extra.headSet(upTo, true)) {
          if (!seen.contains(replica, counter)) {
            mine.add(replica, counter);
          }
        }
      }
      if (mine.size() <= MAX_DOTS_PER_REPLICA) {
        refused.addAll(mine);
      }
    }
    return new Document(new MapValue(), refused);
  }
}
