package dev.converge.sdk.internal.sync;

import dev.converge.sdk.SpaceStatus;
import dev.converge.sdk.internal.store.StatusCounts;
import dev.converge.sdk.internal.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How far behind the server each subscribed space is: the greatest head the server has told of, and
 * since when the local cursor has been below it, for {@link SpaceStatus}. Time comes from the
 * caller.
 *
 * <p>Not thread-safe: owned by the {@link SyncMachine}.
 */
final class SpaceLag {
  private final Store store;
  private final Map<String, Long> heads = new HashMap<>();
  private final Map<String, Instant> behindSince = new HashMap<>();

  SpaceLag(Store store) {
    this.store = store;
  }

  /**
   * The head a welcome announced: the server's word for the new session, even below an older one.
   */
  void announced(String space, long head, Instant now) {
    heads.put(space, head);
    update(space, now);
  }

  /** A head the server reached (changes, snapshot, synced): heads only grow within a session. */
  void reached(String space, long head, Instant now) {
    heads.merge(space, head, Math::max);
    update(space, now);
  }

  /** Whether a head of {@code space} is known (it is followed on this or an earlier session). */
  boolean knows(String space) {
    return heads.containsKey(space);
  }

  /**
   * Returns whether {@code space} is caught up: its head is known and the cursor has reached it, no
   * snapshot under way.
   */
  boolean caughtUp(String space) {
    Long head = heads.get(space);
    return head != null && head <= store.cursor(space) && !store.snapshotInProgress(space);
  }

  /** Forgets a purged space. */
  void forget(String space) {
    heads.remove(space);
    behindSince.remove(space);
  }

  private void update(String space, Instant now) {
    long head = heads.getOrDefault(space, 0L);
    if (head > store.cursor(space) || store.snapshotInProgress(space)) {
      behindSince.putIfAbsent(space, now);
    } else {
      behindSince.remove(space);
    }
  }

  /** The status of each space, in subscription order, as of {@code now}. */
  Map<String, SpaceStatus> statuses(
      List<String> spaces, Set<String> forbidden, Instant now, StatusCounts counts) {
    Map<String, SpaceStatus> result = new LinkedHashMap<>();
    for (String space : spaces) {
      long cursor = counts.cursor(space);
      long head = Math.max(cursor, heads.getOrDefault(space, 0L));
      Instant since = behindSince.get(space);
      Duration behindFor = since == null ? Duration.ZERO : Duration.between(since, now);
      result.put(
          space,
          new SpaceStatus(
              space,
              cursor,
              head,
              head - cursor,
              behindFor.isNegative() ? Duration.ZERO : behindFor,
              counts.snapshotting().contains(space),
              forbidden.contains(space)));
    }
    return result;
  }
}
