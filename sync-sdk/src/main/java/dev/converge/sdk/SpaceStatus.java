package dev.converge.sdk;

import java.time.Duration;
import java.util.Objects;

/**
 * How far this replica is behind the server in one space.
 *
 * @param space the space
 * @param cursor the last server sequence number applied locally (0 for none)
 * @param head the greatest server sequence number known to exist (0 if never told)
 * @param behindChanges {@code head - cursor}, at least 0: changes known but not yet applied
 * @param behindFor how long this replica has been known to be behind ({@link Duration#ZERO} when
 *     caught up); grows while offline only from the last known head, so it is a lower bound
 * @param snapshotInProgress whether a snapshot is being received page by page
 * @param forbidden whether the server refused the subscription (the token does not grant it)
 */
public record SpaceStatus(
    String space,
    long cursor,
    long head,
    long behindChanges,
    Duration behindFor,
    boolean snapshotInProgress,
    boolean forbidden) {
  /** Creates a space status. */
  public SpaceStatus {
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(behindFor, "behindFor");
  }

  /** Returns whether every change known to exist has been applied. */
  public boolean caughtUp() {
    return behindChanges == 0 && !snapshotInProgress;
  }
}
