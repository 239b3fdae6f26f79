package dev.converge.core.server;

import java.util.Objects;

/**
 * One entry of a space's change log: an applied changeset, or the context-only entry a refused one
 * left (DESIGN §7).
 *
 * @param space the space whose log holds it
 * @param serverSeq its position in that log
 * @param collection the document's collection
 * @param docId the document's id
 * @param replicaId the replica whose changeset it records
 * @param seq that changeset's seq
 * @param hlc the changeset's timestamp, in its wire form
 * @param deltaJson the logged delta in its wire encoding (canonical: written by the codec)
 * @param toSeq the last seq that changeset covers ({@code seq} unless it was a range)
 */
public record LogEntry(
    String space,
    long serverSeq,
    String collection,
    String docId,
    String replicaId,
    long seq,
    String hlc,
    String deltaJson,
    long toSeq) {
  /** Creates an entry; every component is required. */
  public LogEntry {
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(hlc, "hlc");
    Objects.requireNonNull(deltaJson, "deltaJson");
  }

  /** Creates the entry of a changeset of one seq. */
  public LogEntry(
      String space,
      long serverSeq,
      String collection,
      String docId,
      String replicaId,
      long seq,
      String hlc,
      String deltaJson) {
    this(space, serverSeq, collection, docId, replicaId, seq, hlc, deltaJson, seq);
  }
}
