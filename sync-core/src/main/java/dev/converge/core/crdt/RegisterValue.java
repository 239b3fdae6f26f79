package dev.converge.core.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A multi-value register: a DotFun from dot to (value, hlc).
 *
 * <p>A write supersedes every value it has seen (its delta's context holds their dots), so a write
 * made after observing another always wins, whatever the clocks say. Concurrent writes leave
 * several values: {@link #winner()} picks the greatest (hlc, replica id) (last-writer-wins), {@link
 * #values()} returns them all (multi-value), and the losers stay inspectable until a later write
 * supersedes them.
 */
public final class RegisterValue implements CrdtValue {

  private final DotFun<Versioned> entries;

  /** An empty register. */
  public RegisterValue() {
    this(new DotFun<>());
  }

  private RegisterValue(DotFun<Versioned> entries) {
    this.entries = entries;
  }

  /** Adds an entry while building a state (codec and mutators). */
  void put(Versioned entry) {
    entries.put(entry.dot(), entry);
  }

  @Override
  public ValueType type() {
    return ValueType.REGISTER;
  }

  @Override
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public void forEachDot(Consumer<Dot> sink) {
    entries.forEachDot(sink);
  }

  /** Returns every concurrent value, last-writer-wins winner first. */
  public List<Versioned> values() {
    List<Versioned> values = new ArrayList<>(entries.values());
    values.sort(Versioned.LWW_ORDER.reversed());
    return Collections.unmodifiableList(values);
  }

  /**
   * Returns the last-writer-wins value: greatest (hlc, replica id); empty if the register is empty.
   */
  public Optional<Versioned> winner() {
    return entries.values().stream().max(Versioned.LWW_ORDER);
  }

  /** Returns the greatest timestamp held, or {@link Hlc#ZERO}. */
  public Hlc maxHlc() {
    return entries.values().stream().map(Versioned::hlc).max(Hlc::compareTo).orElse(Hlc.ZERO);
  }

  /** Returns the value written by the winning write, or empty. */
  public Optional<JsonNode> value() {
    return winner().map(Versioned::value);
  }

  /** Returns the entries by dot. Read-only view, for encoders. */
  public Map<Dot, Versioned> entries() {
    return entries.view();
  }

  @Override
  public RegisterValue copy() {
    return new RegisterValue(entries.copy());
  }

  @Override
  public void join(CrdtValue other, CausalContext mine, CausalContext theirs) {
    entries.join(((RegisterValue) other).entries, mine, theirs);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RegisterValue other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "reg" + entries.values();
  }
}
