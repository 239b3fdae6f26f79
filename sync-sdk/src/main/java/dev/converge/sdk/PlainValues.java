package dev.converge.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a document's plain JSON view into Java values the public API hands out, so no Jackson type
 * appears in its signatures: objects become unmodifiable {@code Map<String, Object>}, arrays
 * unmodifiable {@code List<Object>}, strings {@link String}, integers {@link Long}, other numbers
 * {@link Double}, booleans {@link Boolean}, JSON null {@code null}. Stateless.
 */
final class PlainValues {

  private PlainValues() {}

  /** The fields of a JSON object, in its order. */
  static Map<String, Object> fields(JsonNode object) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      fields.put(field.getKey(), of(field.getValue()));
    }
    return Collections.unmodifiableMap(fields);
  }

  static Object of(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    if (node.isArray()) {
      List<Object> items = new ArrayList<>(node.size());
      for (JsonNode item : node) {
        items.add(of(item));
      }
      return Collections.unmodifiableList(items);
    }
    if (node.isObject()) {
      return fields(node);
    }
    return node.asText();
  }
}
