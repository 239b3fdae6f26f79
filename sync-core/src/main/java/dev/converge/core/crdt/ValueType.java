package dev.converge.core.crdt;

/**
 * The kinds of value a document field can hold, with their wire tags. The declaration order is the
 * read preference when one name holds several types (the last declared wins: map, set, counter,
 * register) and the order of their encoding: changing it changes the wire format.
 */
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

  /** Returns the type whose values are instances of {@code valueClass}. */
  public static ValueType of(Class<? extends CrdtValue> valueClass) {
    if (valueClass == RegisterValue.class) {
      return REGISTER;
    } else if (valueClass == CounterValue.class) {
      return COUNTER;
    } else if (valueClass == SetValue.class) {
      return SET;
    } else if (valueClass == MapValue.class) {
      return MAP;
    }
    throw new IllegalArgumentException("no value type for " + valueClass.getName());
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
