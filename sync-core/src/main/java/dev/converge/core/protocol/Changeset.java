package dev.converge.core.protocol;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import java.util.Arrays;
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

  /** Returns this changeset without its delta. */
  public Header header() {
    return new Header(replicaId, seq, space, collection, docId, hlc);
  }

  /**
   * A changeset without its delta: who made it, which of theirs it is, the document and when. With
   * a delta's encoded text it is all {@link ProtocolCodec#encodeChangeset(Header, String)} needs,
   * so a device that keeps its deltas as text writes push-ready changesets without decoding them.
   */
  public record Header(
      String replicaId, long seq, String space, String collection, String docId, Hlc hlc) {
    /** Creates a header; every component is required. */
    public Header {
      if (Arrays.asList(replicaId, space, collection, docId, hlc).contains(null)) {
        throw new NullPointerException("every component of a changeset header is required");
      }
    }
  }
}
