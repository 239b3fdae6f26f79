package dev.converge.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.core.protocol.CodecLimits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between the plain Java values the public API takes and hands out and the JSON the
 * documents hold, so no Jackson type appears in the API's signatures (apps need not depend on
 * Jackson, nor on the Jackson version the SDK was built with).
 *
 * <p>The plain values: {@link String}; {@link Long} (an {@link Integer}, {@link Short} or {@link
 * Byte} is taken as one); {@link Double} (a {@link Float} is taken as one; NaN and infinities are
 * refused, JSON has no such numbers); {@link Boolean}; {@code List} of plain values (a JSON array);
 * {@code Map} from {@link String} to plain values (a JSON object); {@code null} inside a list or
 * map (JSON null). Values handed out are unmodifiable: objects as {@code Map<String, Object>} in
 * their order, arrays as {@code List<Object>}, integers that fit a long as {@link Long}, other
 * numbers as {@link Double}. Stateless.
 */
final class PlainValues {

  /**
   * Deepest nesting of lists and maps a written value may have: the server refuses deeper JSON, and
   * the bound also stops a map that contains itself.
   */
  static final int MAX_DEPTH = CodecLimits.DEFAULTS.maxDepth();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private PlainValues() {}

  /** The fields of a JSON object, in its order. */
  static Map<String, Object> fields(JsonNode object) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      fields.put(field.getKey(), of(field.getValue()));
    }
    return Collections.unmodifiableMap(fields);
  }

  /** The plain value of a JSON node: null for JSON null or a missing node. */
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

  /**
   * The JSON of a plain value an app writes.
   *
   * @param name what the value is, for the error message
   * @throws SyncException with {@code INVALID_ARGUMENT} (nothing written) if the value is null, is
   *     not a plain value, holds a non-finite number or a map key that is not a string, or nests
   *     deeper than {@link #MAX_DEPTH}
   */
  static JsonNode toJson(Object value, String name) {
    if (value == null) {
      throw invalid(name + " is null");
    }
    return toJson(value, name, 0);
  }

  /** An unmodifiable deep copy of a plain value (null stays null), checked as {@link #toJson}. */
  static Object copy(Object value, String name) {
    return value == null ? null : of(toJson(value, name, 0));
  }

  private static JsonNode toJson(Object value, String name, int depth) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof String s) {
      return NODES.textNode(s);
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return NODES.numberNode(((Number) value).longValue());
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw invalid(name + " holds " + d + ", which JSON cannot represent");
      }
      return NODES.numberNode(d);
    }
    if (value instanceof List<?> || value instanceof Map<?, ?>) {
      if (depth >= MAX_DEPTH) {
        throw invalid(name + " nests lists and maps deeper than " + MAX_DEPTH + " levels");
      }
      if (value instanceof List<?> list) {
        ArrayNode array = NODES.arrayNode(list.size());
        for (Object item : list) {
          array.add(toJson(item, name, depth + 1));
        }
        return array;
      }
      ObjectNode object = NODES.objectNode();
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        if (!(entry.getKey() instanceof String key)) {
          throw invalid(name + " has a map key that is not a string: " + entry.getKey());
        }
        object.set(key, toJson(entry.getValue(), name, depth + 1));
      }
      return object;
    }
    throw invalid(
        name
            + " is a "
            + value.getClass().getName()
            + "; expected String, Long, Integer, Double, Boolean, List or Map");
  }

  private static SyncException invalid(String message) {
    return new SyncException(SyncException.Code.INVALID_ARGUMENT, message);
  }
}
