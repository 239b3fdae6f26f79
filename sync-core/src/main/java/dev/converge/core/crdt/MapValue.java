package dev.converge.core.crdt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An observed-remove map of nested typed values: a DotMap from key to {@link CrdtValue}.
 *
 * <p>Removing a key resets what was seen under it (its delta carries those dots in its context and
 * no store); an update concurrent with the remove survives, so entries are add-wins. An entry whose
 * store becomes empty disappears: no tombstone is kept.
 */
public final class MapValue implements CrdtValue {

  private final TreeMap<String, CrdtValue> entries = new TreeMap<>();

  /** An empty map. */
  public MapValue() {}

  void put(String key, CrdtValue value) {
    entries.put(key, value);
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

  /** Returns the value under {@code key}, or {@code null}. */
  public CrdtValue get(String key) {
    return entries.get(key);
  }

  /** Returns the entries in key order. Read-only view. */
  public SortedMap<String, CrdtValue> entries() {
    return Collections.unmodifiableSortedMap(entries);
  }

  @Override
  public MapValue copy() {
    MapValue copy = new MapValue();
    entries.forEach((key, value) -> copy.entries.put(key, value.copy()));
    return copy;
  }

  @Override
  public void checkCompatible(CrdtValue other, List<String> path) {
    CrdtValue.super.checkCompatible(other, path);
    ((MapValue) other).entries.forEach(
        (key, theirs) -> {
          CrdtValue mine = entries.get(key);
          if (mine != null) {
            List<String> childPath = new ArrayList<>(path);
            childPath.add(key);
            mine.checkCompatible(theirs, childPath);
          }
        });
  }

  @Override
  public void join(CrdtValue other, CausalContext mine, CausalContext theirs) {
    TreeMap<String, CrdtValue> incoming = ((MapValue) other).entries;
    if (!theirs.isEmpty()) {
      // Entries only on this side lose the dots the other side saw and no longer holds.
      for (Iterator<Map.Entry<String, CrdtValue>> it = entries.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, CrdtValue> entry = it.next();
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
            CrdtValue added = CrdtValue.empty(theirValue.type());
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
