package dev.converge.sdk;

/**
 * Names one document: the space it belongs to (such as {@code user:alice}), its collection (such as
 * {@code carts}) and its id within the collection.
 *
 * @param space the space, which the server's access rules grant or not
 * @param collection the collection
 * @param docId the document id
 */
public record DocumentKey(String space, String collection, String docId) {

  /**
   * Creates a key.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if a part is null or blank
   */
  public DocumentKey {
    requireName(space, "space");
    requireName(collection, "collection");
    requireName(docId, "docId");
  }

  static void requireName(String value, String name) {
    if (value == null || Text.isBlank(value)) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, name + " is null or blank");
    }
    if (value.length() > 256) {
      throw new SyncException(
          SyncException.Code.INVALID_ARGUMENT, name + " is longer than 256 characters");
    }
  }

  @Override
  public String toString() {
    return space + "/" + collection + "/" + docId;
  }
}
