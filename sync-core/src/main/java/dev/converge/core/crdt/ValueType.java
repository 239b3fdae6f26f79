package dev.converge.core.crdt;

/** The kinds of value a document field can hold, with their wire tags. */
public enum ValueType {
  /** Multi-value register read with LWW or as all concurrent values. */
  REGISTER("reg"),
  /** Causal counter: increments and decrements add up. */
  COUNTER("ctr"),
  /** Add-wins observed-remove set of strings. */
  SET("set"),
  /** Observed-remove map of nested values; concurrent updates win over removes. */
  MAP("map");

  private final String tag;

  ValueType(String tag) {
    this.tag = tag;
  }

  /** Returns the tag that marks this type in the JSON encoding. */
  public String tag() {
    return tag;
  }

  /** Returns the type for a wire tag, or {@code null} if the tag is unknown. */
  public static ValueType ofTag(String tag) {
    for (ValueType type : values()) {
      if (type.tag.equals(tag)) {
        return type;
      }
    }
    return null;
  }
}
