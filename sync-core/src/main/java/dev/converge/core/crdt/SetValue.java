package dev.converge.core.crdt;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * An add-wins observed-remove set of strings: a DotMap from element to DotSet.
 *
 * <p>An add tags the element with a new dot (and supersedes the dots it saw); a remove clears the
 * dots it saw. Concurrent add wins over remove, because the remove has not seen the add's dot.
 */
public final class SetValue implements CrdtValue {

  private final TreeMap<String, TreeSet<Dot>> entries = new TreeMap<>();

  /** An empty set. */
  public SetValue() {}

  void put(String element, Dot dot) {
    entries.computeIfAbsent(element, e -> new TreeSet<>()).add(dot);
  }

  @Override
  public ValueType type() {
    return ValueType.SET;
  }

  @Override
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public void forEachDot(Consumer<Dot> sink) {
    entries.values().forEach(dots -> dots.forEach(sink));
  }

  /** Returns the elements, in order. Read-only view. */
  public SortedSet<String> elements() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(entries.keySet()));
  }

  /** Returns whether {@code element} is in the set. */
  public boolean contains(String element) {
    return entries.containsKey(element);
  }

  /** Returns the dots tagging {@code element} (empty if absent). */
  public Set<Dot> dotsOf(String element) {
    TreeSet<Dot> dots = entries.get(element);
    return dots == null ? Set.of() : Collections.unmodifiableSet(dots);
  }

  /** Returns the dot sets by element. Read-only view, for encoders. */
  public Map<String, ? extends NavigableSet<Dot>> entries() {
    return Collections.unmodifiableMap(entries);
  }

  @Override
  public SetValue copy() {
    SetValue copy = new SetValue();
    entries.forEach((element, dots) -> copy.entries.put(element, new TreeSet<>(dots)));
    return copy;
  }

  @Override
  public void join(CrdtValue other, CausalContext mine, CausalContext theirs) {
    TreeMap<String, TreeSet<Dot>> incoming = ((SetValue) other).entries;
    if (!theirs.isEmpty()) {
      for (Iterator<Map.Entry<String, TreeSet<Dot>>> it = entries.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<String, TreeSet<Dot>> entry = it.next();
        TreeSet<Dot> theirDots = incoming.get(entry.getKey());
        DotSetJoin.join(entry.getValue(), theirDots == null ? Set.of() : theirDots, mine, theirs);
        if (entry.getValue().isEmpty()) {
          it.remove();
        }
      }
    }
    incoming.forEach(
        (element, theirDots) -> {
          TreeSet<Dot> myDots = entries.get(element);
          if (myDots == null) {
            TreeSet<Dot> added = new TreeSet<>();
            DotSetJoin.join(added, theirDots, mine, theirs);
            if (!added.isEmpty()) {
              entries.put(element, added);
            }
          } else if (theirs.isEmpty()) {
            // Already joined above when their context is non-empty.
            DotSetJoin.join(myDots, theirDots, mine, theirs);
          }
        });
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SetValue other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "set" + entries;
  }
}
