package dev.converge.core.server;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.trust.Violation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The encoded sizes of the documents one push touches in one space, and of the space's stored
 * documents together: what the document size limit and the space quota are checked against.
 *
 * <p>Encoding a document after every changeset would cost the push a full encoding per changeset,
 * so sizes are tracked from above: the encoding of a join is at most the encodings of its two sides
 * together (a store entry is kept from one side, a context's dots are a union), so a document's
 * size plus the delta's is a bound. Only when that bound passes a limit is the join encoded and
 * measured exactly. What the space's counter stores at the end is exact, measured on the states
 * written. Used once, by one thread.
 */
final class DocumentSizes {

  /**
   * What accepting a changeset does to its document's size.
   *
   * @param size the document's size once joined (exact when {@code joined} is set, else a bound)
   * @param joined the joined document when it was measured exactly, else null
   * @param violation the size limit or quota the changeset breaks, if any
   */
  record Growth(long size, Document joined, Optional<Violation> violation) {}

  private final WritePolicy policy;
  private final long storedBefore;
  private final Map<DocumentRef, Long> loaded = new HashMap<>();
  private final Map<DocumentRef, Long> current = new HashMap<>();
  private long spaceBytes;

  DocumentSizes(WritePolicy policy, long storedBytes) {
    this.policy = policy;
    this.storedBefore = storedBytes;
    this.spaceBytes = storedBytes;
  }

  /** Records a document's stored state as read (null: a new document). */
  void loaded(DocumentRef ref, String json) {
    long size = json == null ? 0 : Utf8Length.of(json);
    loaded.put(ref, size);
    current.put(ref, size);
  }

  /**
   * Measures what joining {@code delta} into {@code doc} would do, without changing {@code doc}.
   */
  Growth growth(
      DocumentRef ref,
      String collection,
      Document doc,
      Document delta,
      String deltaJson,
      ProtocolCodec codec) {
    long before = current.get(ref);
    long bound = before + Utf8Length.of(deltaJson);
    long maxDocument = policy.maxDocumentBytes(collection);
    long maxSpace = policy.maxSpaceBytes();
    if (bound <= maxDocument && spaceBytes + (bound - before) <= maxSpace) {
      return new Growth(bound, null, Optional.empty());
    }
    Document joined = doc.copy();
    joined.join(delta);
    long exact = Utf8Length.of(codec.encodeDocument(joined));
    if (exact > maxDocument) {
      return new Growth(
          exact,
          joined,
          Optional.of(
              new Violation(
                  ErrorCode.DOCUMENT_TOO_LARGE,
                  "document '"
                      + ref.docId()
                      + "' of collection '"
                      + collection
                      + "' would take "
                      + exact
                      + " bytes; the limit is "
                      + maxDocument)));
    }
    long grows = exact - before;
    if (grows > 0 && spaceBytes + grows > maxSpace) {
      return new Growth(
          exact,
          joined,
          Optional.of(
              new Violation(
                  ErrorCode.QUOTA_EXCEEDED,
                  "space '"
                      + ref.space()
                      + "' would hold more than its quota of "
                      + maxSpace
                      + " bytes")));
    }
    return new Growth(exact, joined, Optional.empty());
  }

  /** Records an accepted changeset's growth. */
  void accept(DocumentRef ref, Growth growth) {
    spaceBytes += growth.size() - current.get(ref);
    current.put(ref, growth.size());
  }

  /** Records a context-only entry joined into a document (never refused: it removes a hole). */
  void grew(DocumentRef ref, long bytes) {
    current.merge(ref, bytes, Long::sum);
    spaceBytes += bytes;
  }

  /** Returns the space's stored bytes once {@code states} replace what was read. */
  long storedAfter(List<PushDecision.StateWrite> states) {
    long stored = storedBefore;
    for (PushDecision.StateWrite s : states) {
      stored += Utf8Length.of(s.stateJson()) - loaded.get(s.ref());
    }
    return Math.max(0, stored);
  }
}
