package dev.converge.core.crdt;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An observed-remove map of nested typed values: a DotMap from (name, type) to {@link CrdtValue}.
 *
 * <p>Removing a name resets what was seen under it, whatever the type (its delta carries those dots
 * in its context and no store); an update concurrent with the remove survives, so entries are
 * add-wins. An entry whose store becomes empty disappears: no tombstone is kept. Entries are keyed
 * by name and type ({@link FieldKey}), so the join never fails: a name written concurrently as two
 * types holds both, and a reader picks by type ({@link #get(String, ValueType)}) or takes the
 * preferred one ({@link #get(String)}: map, then set, then counter, then register).
 */
public final class MapValue implements CrdtValue {

  private final TreeMap<FieldKey, CrdtValue> entries = new TreeMap<>();

  /** An empty map. */
  public MapValue() {}

  void put(String name, CrdtValue value) {
    entries.put(new FieldKey(name, value.type()), value);
  }

  @Override
  public ValueType type() {
    return ValueType.MAP;
  }

  @Override
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public void forEachDot(Consumer<Dot> sink) {
    entries.values().forEach(value -> value.forEachDot(sink));
  }

  /** Returns the value of {@code type} under {@code name}, or {@code null}. */
  public CrdtValue get(String name, ValueType type) {
    return entries.get(new FieldKey(name, type));
  }

  /**
   * Returns the preferred value under {@code name}, or {@code null}: the only one when the name
   * holds one type (the usual case), else by the fixed preference map, set, counter, register, so
   * every replica reads the same.
   */
  public CrdtValue get(String name) {
    Map.Entry<FieldKey, CrdtValue> last = typesOf(name).lastEntry();
    return last == null ? null : last.getValue();
  }

  /** Returns every value under {@code name}, by type. Read-only view. */
  public NavigableMap<FieldKey, CrdtValue> typesOf(String name) {
    return Collections.unmodifiableNavigableMap(
        entries.subMap(
            new FieldKey(name, ValueType.REGISTER), true, new FieldKey(name, ValueType.MAP), true));
  }

  /** Returns the preferred value of each name, in name order (see {@link #get(String)}). */
  public SortedMap<String, CrdtValue> entries() {
    TreeMap<String, CrdtValue> preferred = new TreeMap<>();
    // Types of a name are adjacent and ordered by preference, so the last one seen wins.
    entries.forEach((key, value) -> preferred.put(key.name(), value));
    return Collections.unmodifiableSortedMap(preferred);
  }

  /** Returns every entry, keyed by (name, type). Read-only view, for encoders and validators. */
  public SortedMap<FieldKey, CrdtValue> typedEntries() {
    return Collections.unmodifiableSortedMap(entries);
  }

  @Override
  public MapValue copy() {
    MapValue copy = new MapValue();
    entries.forEach((key, value) -> copy.entries.put(key, value.copy()));
    return copy;
  }

  @Override
  public void join(CrdtValue other, CausalContext mine, CausalContext theirs) {
    TreeMap<FieldKey, CrdtValue> incoming = ((MapValue) other).entries;
    if (!theirs.isEmpty()) {
      // Entries only on this side lose the dots the other side saw and no longer holds.
      for (Iterator<Map.Entry<FieldKey, CrdtValue>> it = entries.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<FieldKey, CrdtValue> entry = it.next();
        if (!incoming.containsKey(entry.getKey())) {
          CrdtValue value = entry.getValue();
          value.join(CrdtValue.empty(value.type()), mine, theirs);
          if (value.isEmpty()) {
            it.remove();
          }
        }
      }
    }
    incoming.forEach(
        (key, theirValue) -> {
          CrdtValue myValue = entries.get(key);
          if (myValue == null) {
            CrdtValue added = CrdtValue.empty(key.type());
            added.join(theirValue, mine, theirs);
            if (!added.isEmpty()) {
              entries.put(key, added);
            }
          } else {
            myValue.join(theirValue, mine, theirs);
            if (myValue.isEmpty()) {
              entries.remove(key);
            }
          }
        });
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MapValue other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "map" + entries;
  }
}
