package dev.converge.server.document;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import java.io.Serializable;
import java.util.Objects;

/** Identifies a document: (space, collection, id). */
@Embeddable
public class DocKey implements Serializable {
  private static final long serialVersionUID = 1L;

  @Column(name = "space")
  public String space;

  @Column(name = "collection")
  public String collection;

  @Column(name = "doc_id")
  public String docId;

  /** For JPA. */
  public DocKey() {}

  /** Creates a key. */
  public DocKey(String space, String collection, String docId) {
    this.space = space;
    this.collection = collection;
    this.docId = docId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DocKey k
        && space.equals(k.space)
        && collection.equals(k.collection)
        && docId.equals(k.docId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(space, collection, docId);
  }

  @Override
  public String toString() {
    return space + "/" + collection + "/" + docId;
  }
}
