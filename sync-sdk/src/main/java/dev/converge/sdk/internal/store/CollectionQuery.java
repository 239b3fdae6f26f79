package dev.converge.sdk.internal.store;

/**
 * A query of one collection, checked by the public {@code Query} before it gets here: an optional
 * filter on one top-level field (equal to a string or an integer, or a string prefix), an order (a
 * field, or the document id when {@code orderField} is null; the document id breaks ties) and a
 * limit.
 *
 * @param filterField the filtered field, or null for every document
 * @param op how the field is compared
 * @param value a {@link String} or {@link Long} ({@link Op#PREFIX}: a String)
 * @param orderField the field to order by, or null for the document id
 * @param descending whether the order is descending
 * @param limit the most documents returned, at least 1
 */
public record CollectionQuery(
    String space,
    String collection,
    String filterField,
    Op op,
    Object value,
    String orderField,
    boolean descending,
    int limit) {

  /** How a filter compares. */
  public enum Op {
    /** The field equals the value. */
    EQUALS,
    /** The field is a string starting with the value. */
    PREFIX
  }
}
