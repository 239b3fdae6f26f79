package dev.converge.core.server;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What was read of one space for a push, under the space's lock: its head and the stored states of
 * the documents the push touches.
 *
 * @param space the space
 * @param head the greatest serverSeq allocated in the space (0 for none)
 * @param states the stored state of each document that exists, in its wire encoding; a document
 *     absent here is new
 * @param storedBytes the UTF-8 bytes of every stored document state of the space together
 */
public record SpaceState(
    String space, long head, Map<DocumentRef, String> states, long storedBytes) {

  /** Creates the state of a space whose stored bytes are not counted (no quota applies). */
  public SpaceState(String space, long head, Map<DocumentRef, String> states) {
    this(space, head, states, 0);
  }

  /** Creates the state; copies {@code states}. */
  public SpaceState {
    Objects.requireNonNull(space, "space");
    // HashMap, not Map.copyOf: lookups of absent documents are routine.
    states = java.util.Collections.unmodifiableMap(new HashMap<>(states));
  }
}
