package dev.converge.sdk.internal.store;

import java.util.Map;
import java.util.Set;

/**
 * What a status shows of the store, read in one transaction ({@link Store#statusCounts}): the
 * status is recomputed after every step of the sync machine, so one transaction instead of one per
 * figure.
 *
 * @param pending the local changes not yet acknowledged ({@link Store#pendingCount()})
 * @param rejected the rejected changes kept ({@link Store#rejectedCount()})
 * @param cursors each asked space's cursor ({@link Store#cursor})
 * @param snapshotting the asked spaces with a snapshot in progress ({@link
 *     Store#snapshotInProgress})
 */
public record StatusCounts(
    long pending, long rejected, Map<String, Long> cursors, Set<String> snapshotting) {

  /** Returns the cursor of {@code space}, 0 if it was not asked for. */
  public long cursor(String space) {
    return cursors.getOrDefault(space, 0L);
  }
}
