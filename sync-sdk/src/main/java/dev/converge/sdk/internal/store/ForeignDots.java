package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.MapValue;

/**
 * What a device drops when the server refuses one of its changesets as {@code dot_forged}: the
 * values at the store dots of that changeset which belong to another replica than the device's own.
 *
 * <p>The server's context-only entry for a refusal covers only the pusher's own new dots (it must
 * never cover another replica's, or a member could erase another's writes), so it cannot remove
 * these. An honest device holds such dots in an unsent row only after its file was copied from
 * another user's device (the copy re-keys and declares the other user's id as predecessor, which
 * the server refuses): those writes were never accepted and never will be, so the device drops them
 * itself. Its context already covers the dots (the writes were joined when made), so joining a
 * context-only delta over them removes exactly those values and nothing else. I/O-free.
 */
final class ForeignDots {

  private ForeignDots() {}

  /**
   * Returns the context-only delta covering the store dots of {@code refused} that are not {@code
   * ownReplica}'s; its context is empty when there are none.
   */
  static Document of(Document refused, String ownReplica) {
    CausalContext foreign = new CausalContext();
    refused
        .root()
        .forEachDot(
            dot -> {
              if (!dot.replica().equals(ownReplica)) {
                foreign.add(dot);
              }
            });
    return new Document(new MapValue(), foreign);
  }
}
