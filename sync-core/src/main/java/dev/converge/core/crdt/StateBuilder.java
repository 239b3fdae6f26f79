package dev.converge.core.crdt;

/**
 * Builds stores entry by entry, for decoders. It checks nothing: the caller guarantees the result
 * is well formed (each dot once, every dot covered by the document's context), as {@code
 * dev.converge.core.protocol.ProtocolCodec} does.
 */
public final class StateBuilder {
  private StateBuilder() {}

  /** Adds a value to a register. */
  public static void put(RegisterValue register, Versioned entry) {
    register.put(new Versioned(entry.dot(), entry.hlc(), JsonValues.normalize(entry.value())));
  }

  /** Adds a single increment to a counter. */
  public static void put(CounterValue counter, Dot dot, long contribution) {
    counter.put(dot, contribution);
  }

  /** Adds an entry (a single increment or a run) to a counter. */
  public static void put(CounterValue counter, CounterEntry entry) {
    counter.put(entry);
  }

  /** Tags a set element with a dot. */
  public static void put(SetValue set, String element, Dot dot) {
    set.put(element, dot);
  }

  /** Puts a nested value under a key. */
  public static void put(MapValue map, String key, CrdtValue value) {
    map.put(key, value);
  }
}
