package dev.converge.core.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.Objects;

/**
 * One value held by a register, with the write that made it.
 *
 * @param dot the write's dot; its replica is the value's origin
 * @param hlc the write's timestamp, which orders concurrent values for last-writer-wins
 * @param value the written JSON value (never {@code null}; JSON null is {@code NullNode})
 */
public record Versioned(Dot dot, Hlc hlc, JsonNode value) {

  /** Orders values by (hlc, replica id, counter): the last-writer-wins winner is the greatest. */
  public static final Comparator<Versioned> LWW_ORDER =
      Comparator.comparing(Versioned::hlc)
          .thenComparing(v -> v.dot().replica())
          .thenComparingLong(v -> v.dot().counter());

  /** Creates a versioned value. */
  public Versioned {
    Objects.requireNonNull(dot, "dot");
    Objects.requireNonNull(hlc, "hlc");
    Objects.requireNonNull(value, "value");
  }
}
