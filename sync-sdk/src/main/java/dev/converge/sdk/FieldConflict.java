package dev.converge.sdk;

import java.util.List;
import java.util.Objects;

/**
 * A field written concurrently on several replicas: the last-writer-wins winner and the values it
 * won over, greatest first. The losers stay until a later write that has seen them supersedes them.
 *
 * @param field the field name
 * @param winner the value reads return
 * @param losers the other concurrent values, with their origins
 */
public record FieldConflict(String field, FieldValue winner, List<FieldValue> losers) {
  /** Creates a conflict record; the list is copied. */
  public FieldConflict {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(winner, "winner");
    losers = List.copyOf(losers);
  }
}
