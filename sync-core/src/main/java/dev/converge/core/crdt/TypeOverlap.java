package dev.converge.core.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A name that holds values of several types (written concurrently as different types): every value,
 * by type tag, as plain JSON. A reader with a schema picks its type; one without takes the
 * preferred one ({@link MapValue#get(String)}), and this record shows the rest.
 *
 * @param path keys from the document root to the name
 * @param values the plain JSON value of each type present, by tag ({@code reg}, {@code ctr}, ...),
 *     in type order
 */
public record TypeOverlap(List<String> path, Map<String, JsonNode> values) {
  /** Creates an overlap record. */
  public TypeOverlap {
    path = List.copyOf(path);
    values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
  }
}
