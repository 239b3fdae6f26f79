package dev.converge.core.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.ReplicaIds;

/** Typed, path-aware reads from a parsed JSON tree; every failure is a {@link DecodeException}. */
class TreeReader {

  /** Longest identifier (space, collection, document id, error code) accepted. */
  static final int MAX_ID_LENGTH = 256;

  final CodecLimits limits;

  TreeReader(CodecLimits limits) {
    this.limits = limits;
  }

  static String field(String path, String name) {
    return path + "." + name;
  }

  static String index(String path, int i) {
    return path + "[" + i + "]";
  }

  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    return switch (node.getNodeType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> node.isIntegralNumber() ? "an integer" : "a decimal number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  JsonNode object(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw new DecodeException(path, "expected an object, got " + describe(node));
    }
    checkSize(node, path);
    return node;
  }

  JsonNode array(JsonNode node, String path) {
    if (node == null || !node.isArray()) {
      throw new DecodeException(path, "expected an array, got " + describe(node));
    }
    checkSize(node, path);
    return node;
  }

  void checkSize(JsonNode node, String path) {
    if (node.size() > limits.maxEntries()) {
      throw new DecodeException(
          DecodeException.Kind.LIMIT,
          path,
          node.size() + " entries exceed the limit of " + limits.maxEntries());
    }
  }

  JsonNode required(JsonNode object, String name, String path) {
    JsonNode value = object.get(name);
    if (value == null || value.isNull()) {
      throw new DecodeException(field(path, name), "required field is missing");
    }
    return value;
  }

  String text(JsonNode node, String path) {
    if (node == null || !node.isTextual()) {
      throw new DecodeException(path, "expected a string, got " + describe(node));
    }
    String text = node.textValue();
    if (text.length() > limits.maxStringLength()) {
      throw new DecodeException(
          DecodeException.Kind.LIMIT,
          path,
          "string of "
              + text.length()
              + " characters exceeds the limit of "
              + limits.maxStringLength());
    }
    return text;
  }

  String requiredText(JsonNode object, String name, String path) {
    return text(required(object, name, path), field(path, name));
  }

  /**
   * An identifier: non-blank, at most {@value #MAX_ID_LENGTH} characters, no control characters.
   */
  String requiredId(JsonNode object, String name, String path) {
    String id = requiredText(object, name, path);
    return checkId(id, field(path, name));
  }

  static String checkId(String id, String path) {
    if (id.codePoints().allMatch(Character::isWhitespace)) {
      throw new DecodeException(path, "must not be blank");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw new DecodeException(path, "longer than " + MAX_ID_LENGTH + " characters");
    }
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) {
        throw new DecodeException(path, "contains a control character");
      }
    }
    return id;
  }

  String replicaId(JsonNode node, String path) {
    String id = text(node, path);
    if (!ReplicaIds.isValid(id)) {
      throw new DecodeException(
          path, "replica id must be 1-" + ReplicaIds.MAX_LENGTH + " characters of [A-Za-z0-9._:-]");
    }
    return id;
  }

  /** An integer within the exact range of every JSON implementation, at least {@code min}. */
  long integer(JsonNode node, String path, long min) {
    if (node == null || !node.isIntegralNumber()) {
      throw new DecodeException(path, "expected an integer, got " + describe(node));
    }
    if (!node.canConvertToLong() || Math.abs(node.longValue()) > Dot.MAX_COUNTER) {
      throw new DecodeException(path, "integer out of range: beyond ±(2^53-1)");
    }
    long value = node.longValue();
    if (value < min) {
      throw new DecodeException(path, "must be >= " + min + ", got " + value);
    }
    return value;
  }

  long requiredInteger(JsonNode object, String name, String path, long min) {
    return integer(required(object, name, path), field(path, name), min);
  }

  long optionalInteger(JsonNode object, String name, String path, long min, long fallback) {
    JsonNode value = object.get(name);
    return value == null || value.isNull() ? fallback : integer(value, field(path, name), min);
  }

  /**
   * An optional log chain ({@code epoch}, docs/protocol-2.md "Log epoch"): absent or null, or
   * exactly {@value dev.converge.core.server.LogChain#LENGTH} characters of {@code 0-9a-f}.
   */
  String optionalEpoch(JsonNode object, String name, String path) {
    JsonNode value = object.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new DecodeException(field(path, name), "expected a string, got " + describe(value));
    }
    String text = value.textValue();
    if (!dev.converge.core.server.LogChain.isValid(text)) {
      throw new DecodeException(
          field(path, name),
          "a log epoch is "
              + dev.converge.core.server.LogChain.LENGTH
              + " lowercase hexadecimal characters, got "
              + (text.length() > 64 ? text.length() + " characters" : "'" + text + "'"));
    }
    return text;
  }

  boolean optionalBoolean(JsonNode object, String name, String path) {
    JsonNode value = object.get(name);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw new DecodeException(field(path, name), "expected a boolean, got " + describe(value));
    }
    return value.booleanValue();
  }

  Hlc hlc(JsonNode node, String path) {
    String text = text(node, path);
    try {
      return Hlc.parse(text);
    } catch (IllegalArgumentException e) {
      throw new DecodeException(path, e.getMessage());
    }
  }

  Dot dot(JsonNode replica, JsonNode counter, String path) {
    String id = replicaId(replica, index(path, 0));
    long n = integer(counter, index(path, 1), 1);
    return new Dot(id, n);
  }
}
