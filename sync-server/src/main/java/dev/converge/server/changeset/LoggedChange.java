package dev.converge.server.changeset;

/**
 * One change as read from the log, with its delta still in wire form (sent as is, never
 * re-encoded).
 *
 * @param serverSeq its position in the space's log
 * @param collection the document's collection
 * @param docId the document's id
 * @param replicaId the replica that made it
 * @param seq that replica's seq
 * @param deltaJson the delta, encoded by the core codec
 * @param committedAtMillis when it was committed, epoch milliseconds
 * @param chain the log chain after it (docs/protocol-2.md "Log epoch"), or null when unknown
 */
public record LoggedChange(
    long serverSeq,
    String collection,
    String docId,
    String replicaId,
    long seq,
    String deltaJson,
    long committedAtMillis,
    String chain) {

  /** A change without a known chain. */
  public LoggedChange(
      long serverSeq,
      String collection,
      String docId,
      String replicaId,
      long seq,
      String deltaJson,
      long committedAtMillis) {
    this(serverSeq, collection, docId, replicaId, seq, deltaJson, committedAtMillis, null);
  }
}
