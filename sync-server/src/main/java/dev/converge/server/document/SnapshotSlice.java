package dev.converge.server.document;

import java.util.List;

/**
 * One page of a space's documents for a snapshot, within a byte budget.
 *
 * @param docs the documents, in (collection, docId) order
 * @param more whether documents follow the last one
 */
public record SnapshotSlice(List<DocState> docs, boolean more) {

  /** Copies the list. */
  public SnapshotSlice {
    docs = List.copyOf(docs);
  }

  /** Returns the last document of the page; the next page starts after it. */
  public DocState last() {
    return docs.get(docs.size() - 1);
  }
}
