package dev.converge.sdk;

import dev.converge.sdk.internal.store.CollectionQuery;

/**
 * A simple query of one collection, served from the local SQLite file: at most one filter on a
 * top-level field (equal to a string, an integer or a boolean, or a string prefix), an order (the
 * document id by default, or a top-level field, the document id breaking ties) and a limit.
 *
 * <pre>{@code
 * List<CollectionDocument> open =
 *     client.collection("team:42", "tasks")
 *         .query(Query.whereEquals("status", "open").orderBy("title").limit(50));
 * }</pre>
 *
 * <p>Only top-level string, integer and boolean fields can be filtered on or ordered by (fractions,
 * arrays and objects are not indexed); strings compare by their first 256 characters, in UTF-8 byte
 * order. When ordering by a field, documents without it come last, numbers before strings.
 *
 * <p>Immutable and thread-safe: each method returns a new query.
 */
public final class Query {

  /** The default limit. */
  public static final int DEFAULT_LIMIT = 100;

  /** The greatest limit: a query reads and decodes at most this many documents. */
  public static final int MAX_LIMIT = 1000;

  /** The longest string a filter compares. */
  public static final int MAX_VALUE_LENGTH = 256;

  private static final Query ALL = new Query(null, null, null, null, false, DEFAULT_LIMIT);

  private final String field;
  private final CollectionQuery.Op op;
  private final Object value;
  private final String orderField;
  private final boolean descending;
  private final int limit;

  private Query(
      String field,
      CollectionQuery.Op op,
      Object value,
      String orderField,
      boolean descending,
      int limit) {
    this.field = field;
    this.op = op;
    this.value = value;
    this.orderField = orderField;
    this.descending = descending;
    this.limit = limit;
  }

  /** Every document of the collection, by id, at most {@value #DEFAULT_LIMIT}. */
  public static Query all() {
    return ALL;
  }

  /**
   * The documents whose top-level {@code field} is the string {@code value}.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the field is null, blank or longer than
   *     256 characters, or the value is null or longer than {@value #MAX_VALUE_LENGTH} characters
   */
  public static Query whereEquals(String field, String value) {
    return new Query(
        checkField(field),
        CollectionQuery.Op.EQUALS,
        checkText(value, "value"),
        null,
        false,
        DEFAULT_LIMIT);
  }

  /**
   * The documents whose top-level {@code field} is the integer {@code value}.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the field is null, blank or too long
   */
  public static Query whereEquals(String field, long value) {
    return new Query(
        checkField(field), CollectionQuery.Op.EQUALS, value, null, false, DEFAULT_LIMIT);
  }

  /**
   * The documents whose top-level {@code field} is the boolean {@code value}.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the field is null, blank or too long
   */
  public static Query whereEquals(String field, boolean value) {
    return whereEquals(field, value ? 1L : 0L);
  }

  /**
   * The documents whose top-level {@code field} is a string starting with {@code prefix}.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the field is null, blank or too long, or
   *     the prefix is null, empty or longer than {@value #MAX_VALUE_LENGTH} characters
   */
  public static Query whereStartsWith(String field, String prefix) {
    if (prefix != null && prefix.isEmpty()) {
      throw invalid("prefix is empty (use Query.all())");
    }
    return new Query(
        checkField(field),
        CollectionQuery.Op.PREFIX,
        checkText(prefix, "prefix"),
        null,
        false,
        DEFAULT_LIMIT);
  }

  /**
   * Orders by the top-level {@code field}, then by document id.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the field is null, blank or too long
   */
  public Query orderBy(String field) {
    return new Query(this.field, op, value, checkField(field), descending, limit);
  }

  /** Orders by document id (the default). */
  public Query orderByDocId() {
    return new Query(field, op, value, null, descending, limit);
  }

  /** Reverses the order. */
  public Query descending() {
    return new Query(field, op, value, orderField, true, limit);
  }

  /**
   * Returns at most {@code limit} documents.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} unless {@code 1 <= limit <=} {@value
   *     #MAX_LIMIT}
   */
  public Query limit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw invalid("limit must be within 1.." + MAX_LIMIT + ", got " + limit);
    }
    return new Query(field, op, value, orderField, descending, limit);
  }

  CollectionQuery on(String space, String collection) {
    return new CollectionQuery(space, collection, field, op, value, orderField, descending, limit);
  }

  private static String checkField(String field) {
    if (field == null || Text.isBlank(field)) {
      throw invalid("field is null or blank");
    }
    if (field.length() > 256) {
      throw invalid("field is longer than 256 characters");
    }
    return field;
  }

  private static String checkText(String text, String name) {
    if (text == null) {
      throw invalid(name + " is null");
    }
    if (text.length() > MAX_VALUE_LENGTH) {
      throw invalid(name + " is longer than " + MAX_VALUE_LENGTH + " characters");
    }
    return text;
  }

  private static SyncException invalid(String message) {
    return new SyncException(SyncException.Code.INVALID_ARGUMENT, message);
  }

  @Override
  public String toString() {
    return "Query{"
        + (field == null ? "all" : field + " " + op + " " + value)
        + ", order "
        + (orderField == null ? "docId" : orderField)
        + (descending ? " desc" : "")
        + ", limit "
        + limit
        + "}";
  }
}
