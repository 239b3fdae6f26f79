package dev.converge.core.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A typed dot store: the value of one document field. Values are joined in place against the causal
 * contexts of the two states they belong to (Almeida et al., "Delta State Replicated Data Types",
 * JPDC 2018, causal dot stores).
 *
 * <p>Mutable and not thread-safe. Instances are owned by one {@link Document}.
 */
public sealed interface CrdtValue permits RegisterValue, CounterValue, SetValue, MapValue {

  /** Returns this value's type. */
  ValueType type();

  /** Returns whether the store holds no dot (such values are dropped from their map). */
  boolean isEmpty();

  /** Passes every dot held by this store to {@code sink}. */
  void forEachDot(Consumer<Dot> sink);

  /** Returns a deep copy. */
  CrdtValue copy();

  /**
   * Joins {@code other} into this store: keeps what both hold, plus what one holds and the other's
   * context has not seen. Contexts are not changed here; the caller unites them afterwards.
   *
   * @param other a value of the same type
   * @param mine the context of the state this value belongs to
   * @param theirs the context of the state {@code other} belongs to
   */
  void join(CrdtValue other, CausalContext mine, CausalContext theirs);

  /** Returns an empty store of {@code type}. */
  static CrdtValue empty(ValueType type) {
    return switch (type) {
      case REGISTER -> new RegisterValue();
      case COUNTER -> new CounterValue();
      case SET -> new SetValue();
      case MAP -> new MapValue();
    };
  }

  /** Returns every dot held by this store. */
  default List<Dot> dots() {
    List<Dot> dots = new ArrayList<>();
    forEachDot(dots::add);
    return dots;
  }
}
