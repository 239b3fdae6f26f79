package dev.converge.sdk;

import java.util.Objects;

/**
 * One value a register holds, with its origin.
 *
 * @param value the written value as a plain, unmodifiable Java value: {@link String}, {@link Long},
 *     {@link Double}, {@link Boolean}, {@code List<Object>}, {@code Map<String, Object>}, or null
 *     for JSON null
 * @param replicaId the replica that wrote it
 * @param hlc the hybrid logical timestamp of the write, {@code "<millis>:<logical>"}
 */
public record FieldValue(Object value, String replicaId, String hlc) {
  /**
   * Creates a field value; the value is copied into unmodifiable plain values.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the value is not a plain value (see
   *     {@link Profile#set(String, Object)})
   */
  public FieldValue {
    value = PlainValues.copy(value, "value");
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(hlc, "hlc");
  }
}
