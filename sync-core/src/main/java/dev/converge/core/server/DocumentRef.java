package dev.converge.core.server;

import java.util.Objects;

/**
 * Names a document: (space, collection, id), the unit of sync.
 *
 * @param space the space, such as {@code user:alice}
 * @param collection the collection within the space
 * @param docId the document's id within the collection
 */
public record DocumentRef(String space, String collection, String docId) {
  /** Creates a reference; every component is required. */
  public DocumentRef {
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(docId, "docId");
  }
}
