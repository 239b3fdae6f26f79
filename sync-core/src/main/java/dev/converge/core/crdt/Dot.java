package dev.converge.core.crdt;

import java.util.Objects;

/**
 * One event of one replica: the pair (replica id, counter). Each replica numbers its own events 1,
 * 2, 3, ... within a document, so a dot names exactly one write anywhere.
 *
 * <p>Immutable and thread-safe. Ordered by replica id, then counter, so that encodings are stable.
 *
 * @param replica the id of the replica that made the event; see {@link ReplicaIds}
 * @param counter the replica's event number, at least 1
 */
public record Dot(String replica, long counter) implements Comparable<Dot> {

  /** Largest counter allowed; it stays exact in every JSON implementation (2^53 - 1). */
  public static final long MAX_COUNTER = (1L << 53) - 1;

  /**
   * Creates a dot.
   *
   * @throws IllegalArgumentException if the replica id is malformed or the counter is out of range
   */
  public Dot {
    Objects.requireNonNull(replica, "replica");
    ReplicaIds.requireValid(replica);
    if (counter < 1 || counter > MAX_COUNTER) {
      throw new IllegalArgumentException("dot counter out of range [1, 2^53-1]: " + counter);
    }
  }

  @Override
  public int compareTo(Dot other) {
    int byReplica = replica.compareTo(other.replica);
    return byReplica != 0 ? byReplica : Long.compare(counter, other.counter);
  }

  @Override
  public String toString() {
    return replica + ":" + counter;
  }
}
