package dev.converge.sdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The fields of an app-defined collection, each with its merge {@link FieldPolicy}. A document
 * handle refuses operations that do not fit a field's policy and fields the schema does not name.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * Schema notes = Schema.builder()
 *     .field("title", FieldPolicy.REGISTER_LWW)
 *     .field("tags", FieldPolicy.SET)
 *     .field("views", FieldPolicy.COUNTER)
 *     .build();
 * }</pre>
 */
public final class Schema {
  private final Map<String, FieldPolicy> fields;

  private Schema(Map<String, FieldPolicy> fields) {
    this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the policy of {@code field}, if the schema names it. */
  public Optional<FieldPolicy> policy(String field) {
    return Optional.ofNullable(fields.get(field));
  }

  /** Returns the fields and their policies, in declaration order (unmodifiable). */
  public Map<String, FieldPolicy> fields() {
    return fields;
  }

  @Override
  public String toString() {
    return "Schema" + fields;
  }

  /** Builds a {@link Schema}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, FieldPolicy> fields = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Declares a field.
     *
     * @return this builder
     * @throws SyncException with {@code INVALID_ARGUMENT} if the name is blank, the policy null, or
     *     the field already declared
     */
    public Builder field(String name, FieldPolicy policy) {
      if (name == null || Text.isBlank(name)) {
        throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "field name is null or blank");
      }
      if (policy == null) {
        throw new SyncException(
            SyncException.Code.INVALID_ARGUMENT, "policy of field '" + name + "' is null");
      }
      if (fields.putIfAbsent(name, policy) != null) {
        throw new SyncException(
            SyncException.Code.INVALID_ARGUMENT, "field '" + name + "' declared twice");
      }
      return this;
    }

    /**
     * Returns the schema.
     *
     * @throws SyncException with {@code INVALID_ARGUMENT} if no field was declared
     */
    public Schema build() {
      if (fields.isEmpty()) {
        throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "schema declares no field");
      }
      return new Schema(fields);
    }
  }
}
