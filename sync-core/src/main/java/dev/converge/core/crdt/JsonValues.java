package dev.converge.core.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;

/**
 * Puts register values in one canonical form, so that a value written locally equals the same value
 * decoded from the wire ({@code 1} as an int node whether it was built from an int or a long).
 */
final class JsonValues {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private JsonValues() {}

  static JsonNode normalize(JsonNode node) {
    if (node == null) {
      return NODES.nullNode();
    }
    if (node.isIntegralNumber()) {
      BigInteger value = node.bigIntegerValue();
      if (value.bitLength() < 32) {
        return NODES.numberNode(value.intValue());
      }
      if (value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0) {
        return NODES.numberNode(value.longValue());
      }
      return NODES.numberNode(value);
    }
    if (node.isFloatingPointNumber()) {
      return NODES.numberNode(node.doubleValue());
    }
    if (node.isArray()) {
      ArrayNode copy = NODES.arrayNode(node.size());
      node.forEach(element -> copy.add(normalize(element)));
      return copy;
    }
    if (node.isObject()) {
      ObjectNode copy = NODES.objectNode();
      node.properties().forEach(e -> copy.set(e.getKey(), normalize(e.getValue())));
      return copy;
    }
    return node.deepCopy();
  }
}
