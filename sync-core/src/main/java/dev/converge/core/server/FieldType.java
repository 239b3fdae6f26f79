package dev.converge.core.server;

import dev.converge.core.crdt.CrdtValue;
import dev.converge.core.crdt.FieldKey;
import dev.converge.core.crdt.MapValue;
import dev.converge.core.crdt.ValueType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The type a collection's write rule accepts at one place of a document, parsed from a small
 * expression:
 *
 * <ul>
 *   <li>{@code reg}, {@code ctr}, {@code set}: a register, counter or set;
 *   <li>{@code any}: any value, nested values unchecked;
 *   <li>{@code map}: a map whose entries are unchecked;
 *   <li>{@code map<T>}: a map every entry of which (whatever its name) is a {@code T};
 *   <li>{@code {name: T, other: U, *: V}}: a map whose named entries have the given types; {@code
 *       *} is the type of every name not listed, and without it unlisted names are refused.
 * </ul>
 *
 * Example, the default cart rule: {@code {items: map<{qty: ctr}>}}. Names are letters, digits,
 * {@code _ - .} (write {@code "..."} for other names). Immutable and thread-safe.
 */
public final class FieldType {

  /** The deepest nesting an expression may have: bounds parsing and checking alike. */
  public static final int MAX_DEPTH = 16;

  private enum Kind {
    ANY,
    LEAF,
    MAP_OF,
    RECORD
  }

  private final Kind kind;
  private final ValueType leaf; // LEAF
  private final FieldType element; // MAP_OF: every entry; RECORD: unlisted names, or null
  private final Map<String, FieldType> fields; // RECORD
  private final String text;

  private FieldType(
      Kind kind, ValueType leaf, FieldType element, Map<String, FieldType> fields, String text) {
    this.kind = kind;
    this.leaf = leaf;
    this.element = element;
    this.fields = fields;
    this.text = text;
  }

  /**
   * Parses an expression.
   *
   * @throws IllegalArgumentException naming the position of what is wrong
   */
  public static FieldType parse(String expression) {
    Objects.requireNonNull(expression, "expression");
    Parser p = new Parser(expression);
    FieldType type = p.type(0);
    p.skipSpace();
    if (p.pos != expression.length()) {
      throw p.error("unexpected '" + expression.charAt(p.pos) + "'");
    }
    return type;
  }

  /**
   * Returns a map type with the given entry types and, when {@code others} is not null, the type of
   * every unlisted name.
   */
  public static FieldType record(Map<String, FieldType> fields, FieldType others) {
    Map<String, FieldType> copy = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    StringBuilder text = new StringBuilder("{");
    copy.forEach(
        (n, t) -> text.append(text.length() > 1 ? ", " : "").append(n).append(": ").append(t));
    if (others != null) {
      text.append(text.length() > 1 ? ", " : "").append("*: ").append(others);
    }
    return new FieldType(Kind.RECORD, null, others, copy, text.append('}').toString());
  }

  /**
   * Checks a map value (a document's root, or a nested map) against this type.
   *
   * @param path where the map is, for the message ({@code ""} for the root)
   * @return what is refused, naming the field and both types, or empty
   */
  public Optional<String> checkMap(MapValue map, String path) {
    return check(map, path, 0);
  }

  private Optional<String> check(CrdtValue value, String path, int depth) {
    switch (kind) {
      case ANY:
        return Optional.empty();
      case LEAF:
        return value.type() == leaf
            ? Optional.empty()
            : Optional.of(wrong(path, value.type(), leaf.tag()));
      default:
        break;
    }
    if (!(value instanceof MapValue map)) {
      return Optional.of(wrong(path, value.type(), "map"));
    }
    if (depth >= MAX_DEPTH) {
      return Optional.empty(); // an expression never nests deeper than MAX_DEPTH
    }
    for (Map.Entry<FieldKey, CrdtValue> e : map.typedEntries().entrySet()) {
      String name = e.getKey().name();
      String at = path.isEmpty() ? name : path + "." + name;
      FieldType expected = kind == Kind.MAP_OF ? element : fields.getOrDefault(name, element);
      if (expected == null) {
        return Optional.of(
            "field '" + at + "' is not accepted by this collection (accepted: " + this + ")");
      }
      Optional<String> wrong = expected.check(e.getValue(), at, depth + 1);
      if (wrong.isPresent()) {
        return wrong;
      }
    }
    return Optional.empty();
  }

  private static String wrong(String path, ValueType found, String expected) {
    return "field '"
        + (path.isEmpty() ? "(document)" : path)
        + "' is written as "
        + found.tag()
        + "; this collection holds "
        + expected
        + " there";
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldType other && other.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** Recursive descent over the expression; depth-bounded. */
  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    FieldType type(int depth) {
      if (depth > MAX_DEPTH) {
        throw error("nested deeper than " + MAX_DEPTH);
      }
      skipSpace();
      if (peek('{')) {
        return record(depth);
      }
      String word = name();
      switch (word) {
        case "any":
          return new FieldType(Kind.ANY, null, null, Map.of(), "any");
        case "reg", "ctr", "set":
          return new FieldType(Kind.LEAF, ValueType.ofTag(word), null, Map.of(), word);
        case "map":
          skipSpace();
          if (!peek('<')) {
            return new FieldType(
                Kind.MAP_OF,
                null,
                new FieldType(Kind.ANY, null, null, Map.of(), "any"),
                Map.of(),
                "map");
          }
          pos++;
          FieldType element = type(depth + 1);
          expect('>');
          return new FieldType(Kind.MAP_OF, null, element, Map.of(), "map<" + element + ">");
        default:
          throw error("unknown type '" + word + "' (reg, ctr, set, map, map<T>, {name: T}, any)");
      }
    }

    private FieldType record(int depth) {
      pos++; // '{'
      Map<String, FieldType> fields = new LinkedHashMap<>();
      FieldType others = null;
      skipSpace();
      if (peek('}')) {
        pos++;
        return FieldType.record(fields, null);
      }
      while (true) {
        skipSpace();
        String name;
        if (peek('*')) {
          pos++;
          name = null;
        } else {
          name = peek('"') ? quoted() : name();
        }
        expect(':');
        FieldType type = type(depth + 1);
        if (name == null) {
          if (others != null) {
            throw error("'*' given twice");
          }
          others = type;
        } else if (fields.put(name, type) != null) {
          throw error("field '" + name + "' given twice");
        }
        skipSpace();
        if (peek(',')) {
          pos++;
          continue;
        }
        expect('}');
        return FieldType.record(fields, others);
      }
    }

    private String name() {
      skipSpace();
      int start = pos;
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (!Character.isLetterOrDigit(c) && c != '_' && c != '-' && c != '.') {
          break;
        }
        pos++;
      }
      if (pos == start) {
        throw error(pos < s.length() ? "unexpected '" + s.charAt(pos) + "'" : "unexpected end");
      }
      return s.substring(start, pos);
    }

    private String quoted() {
      int end = s.indexOf('"', pos + 1);
      if (end < 0) {
        throw error("unterminated name");
      }
      String name = s.substring(pos + 1, end);
      pos = end + 1;
      return name;
    }

    private void expect(char c) {
      skipSpace();
      if (!peek(c)) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    private boolean peek(char c) {
      return pos < s.length() && s.charAt(pos) == c;
    }

    void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException("write rule type '" + s + "', at " + pos + ": " + what);
    }
  }
}
