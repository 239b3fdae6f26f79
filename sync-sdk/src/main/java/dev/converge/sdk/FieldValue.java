package dev.converge.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One value a register holds, with its origin.
 *
 * @param value the written JSON value
 * @param replicaId the replica that wrote it
 * @param hlc the hybrid logical timestamp of the write, {@code "<millis>:<logical>"}
 */
public record FieldValue(JsonNode value, String replicaId, String hlc) {
  /** Creates a field value; the JSON value is deep-copied. */
  public FieldValue {
    value = Objects.requireNonNull(value, "value").deepCopy();
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(hlc, "hlc");
  }

  /** Returns a copy of the value, so callers cannot change the record. */
  @Override
  public JsonNode value() {
    return value.deepCopy();
  }
}
