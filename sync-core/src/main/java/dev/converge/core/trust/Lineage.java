package dev.converge.core.trust;

import java.util.Objects;
import java.util.Set;

/**
 * The replica that pushes a changeset and the replicas it took over after re-keys (its
 * predecessors, same user), whose unsent writes it may still carry (DESIGN §7, re-key lineage).
 *
 * <p>Immutable and thread-safe.
 *
 * @param replica the pushing replica
 * @param predecessors the replica ids this one succeeds, transitively; never contains {@code
 *     replica}
 * @param succeeded whether another replica declared {@code replica} as its predecessor: a copy of
 *     its database that re-keyed at open may have delivered its earlier writes under its own id, so
 *     the trust boundary takes this replica's pushes as resent ({@link
 *     dev.converge.core.protocol.Changeset#resend})
 */
public record Lineage(String replica, Set<String> predecessors, boolean succeeded) {

  /** Creates a lineage of a replica no other replica succeeded. */
  public Lineage(String replica, Set<String> predecessors) {
    this(replica, predecessors, false);
  }

  /** Creates a lineage. */
  public Lineage {
    Objects.requireNonNull(replica, "replica");
    predecessors = Set.copyOf(predecessors);
    if (predecessors.contains(replica)) {
      throw new IllegalArgumentException("a replica cannot be its own predecessor: " + replica);
    }
  }

  /** A replica without predecessors. */
  public static Lineage of(String replica) {
    return new Lineage(replica, Set.of());
  }

  /** Returns this lineage with {@link #succeeded} set as given. */
  public Lineage succeeded(boolean value) {
    return new Lineage(replica, predecessors, value);
  }

  /**
   * Returns whether dots of {@code replicaId} may appear in this lineage's changesets as new
   * writes.
   */
  public boolean owns(String replicaId) {
    return replica.equals(replicaId) || predecessors.contains(replicaId);
  }
}
