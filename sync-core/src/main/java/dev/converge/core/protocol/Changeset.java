package dev.converge.core.protocol;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import java.util.Objects;

/**
 * One change of one document by one replica: the unit that is pushed, acknowledged and logged.
 *
 * @param replicaId the replica that made it
 * @param seq the replica's changeset number, strictly increasing per replica (from 1)
 * @param space the space the document belongs to, such as {@code user:alice}
 * @param collection the document's collection, such as {@code carts}
 * @param docId the document's id within the collection
 * @param hlc when the change was made (orders concurrent register writes)
 * @param delta the change itself, a delta state of the document
 */
public record Changeset(
    String replicaId,
    long seq,
    String space,
    String collection,
    String docId,
    Hlc hlc,
    Document delta) {

  /** Creates a changeset; every component is required. */
  public Changeset {
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(hlc, "hlc");
    Objects.requireNonNull(delta, "delta");
  }
}
