package dev.converge.sdk;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A document as a collection read returned it: its key and a plain view of its merged state
 * (registers as their last-writer-wins value, counters as numbers, sets as lists, maps as maps).
 * Values are {@link String}, {@link Long}, {@link Double}, {@link Boolean}, {@code List<Object>},
 * {@code Map<String, Object>} or null; nothing here is a Jackson type. A snapshot: later changes do
 * not show here.
 *
 * <p>Immutable and thread-safe.
 */
public final class CollectionDocument {

  private final DocumentKey key;
  private final Map<String, Object> fields;

  CollectionDocument(DocumentKey key, Map<String, Object> fields) {
    this.key = key;
    this.fields = fields;
  }

  /** Returns the document's key. */
  public DocumentKey key() {
    return key;
  }

  /** Returns the document's id within its collection. */
  public String docId() {
    return key.docId();
  }

  /** Returns the top-level fields, unmodifiable, in name order. */
  public Map<String, Object> fields() {
    return fields;
  }

  /** Returns the top-level field {@code name} if it holds a string. */
  public Optional<String> string(String name) {
    Object value = fields.get(name);
    return value instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /** Returns the top-level field {@code name} if it holds an integer (a counter, for example). */
  public OptionalLong integer(String name) {
    Object value = fields.get(name);
    return value instanceof Long l ? OptionalLong.of(l) : OptionalLong.empty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CollectionDocument other
        && key.equals(other.key)
        && fields.equals(other.fields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, fields);
  }

  @Override
  public String toString() {
    return key + " " + fields;
  }
}
