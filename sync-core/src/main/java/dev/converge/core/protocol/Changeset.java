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
 * @param toSeq the last of the replica's seqs this changeset covers: {@code seq} for one change,
 *     more for the join of the unsent changes {@code seq..toSeq} of one document
 *     (docs/protocol-2.md, "Seq ranges"); checked by the server ({@code toSeq >= seq}, at most
 *     {@link #MAX_RANGE} seqs), not here, so that a forged range gets a coded error
 * @param resend whether the device vouches that this changeset may repeat writes it made before it
 *     took a new replica id (a restored or copied database file, a purge), which the server may
 *     already hold under the retired id: an entry whose dot the document has seen but no longer
 *     holds (superseded or removed since) is then already reflected, not a reused dot
 *     (docs/protocol-2.md, "Resent changes")
 */
public record Changeset(
    String replicaId,
    long seq,
    String space,
    String collection,
    String docId,
    Hlc hlc,
    Document delta,
    long toSeq,
    boolean resend) {

  /** The most seqs one changeset may cover ({@code toSeq - seq + 1}). */
  public static final int MAX_RANGE = 1000;

  /** Creates a changeset; every component is required. */
  public Changeset {
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(hlc, "hlc");
    Objects.requireNonNull(delta, "delta");
  }

  /** Creates a changeset that is not a resend. */
  public Changeset(
      String replicaId,
      long seq,
      String space,
      String collection,
      String docId,
      Hlc hlc,
      Document delta,
      long toSeq) {
    this(replicaId, seq, space, collection, docId, hlc, delta, toSeq, false);
  }

  /** Creates a changeset of one seq ({@code toSeq == seq}). */
  public Changeset(
      String replicaId,
      long seq,
      String space,
      String collection,
      String docId,
      Hlc hlc,
      Document delta) {
    this(replicaId, seq, space, collection, docId, hlc, delta, seq);
  }

  /** Returns whether this changeset covers more than one seq. */
  public boolean isRange() {
    return toSeq != seq;
  }

  /** Returns this changeset without its delta. */
  public Header header() {
    return new Header(replicaId, seq, space, collection, docId, hlc, toSeq, resend);
  }

  /**
   * A changeset without its delta: who made it, which of theirs it is, the document and when. With
   * a delta's encoded text it is all {@link ProtocolCodec#encodeChangeset(Header, String)} needs,
   * so a device that keeps its deltas as text writes push-ready changesets without decoding them.
   */
  public record Header(
      String replicaId,
      long seq,
      String space,
      String collection,
      String docId,
      Hlc hlc,
      long toSeq,
      boolean resend) {
    /** Creates a header; every component is required. */
    public Header {
      if (Arrays.asList(replicaId, space, collection, docId, hlc).contains(null)) {
        throw new NullPointerException("every component of a changeset header is required");
      }
    }

    /** Creates the header of a changeset that is not a resend. */
    public Header(
        String replicaId,
        long seq,
        String space,
        String collection,
        String docId,
        Hlc hlc,
        long toSeq) {
      this(replicaId, seq, space, collection, docId, hlc, toSeq, false);
    }

    /** Creates the header of a changeset of one seq. */
    public Header(
        String replicaId, long seq, String space, String collection, String docId, Hlc hlc) {
      this(replicaId, seq, space, collection, docId, hlc, seq);
    }
  }
}
