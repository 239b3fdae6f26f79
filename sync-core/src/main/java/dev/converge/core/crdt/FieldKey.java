package dev.converge.core.crdt;

import java.util.Objects;

/**
 * The key of a map entry: a name and the type of the value stored under it, as in riak_dt_map.
 * Keying by type makes the join total: a name written concurrently as two types holds both, and the
 * read policy picks which one the app sees. Ordered by name, then type, so the types of one name
 * are adjacent and encodings are stable.
 *
 * @param name the field name
 * @param type the type of the value under it
 */
public record FieldKey(String name, ValueType type) implements Comparable<FieldKey> {

  /** Creates a key. */
  public FieldKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }

  @Override
  public int compareTo(FieldKey other) {
    int byName = name.compareTo(other.name);
    return byName != 0 ? byName : type.compareTo(other.type);
  }
}
