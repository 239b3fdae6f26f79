package dev.converge.sdk.internal.store;

import dev.converge.sdk.DocumentKey;
import java.util.List;

/**
 * What a digest repair did (docs/protocol-2.md, "Digests"; docs/crdt.md, "Repair within the trust
 * boundary").
 *
 * @param changed the documents whose local state changed (the server's state joined in)
 * @param repushed how many changes of this replica's own writes the server had lost were put in the
 *     outbox
 * @param foreignDots how many entries of other replicas this device holds that the server never
 *     had: never pushed, only reported
 */
public record DigestRepair(List<DocumentKey> changed, int repushed, int foreignDots) {
  /** Creates a result; the list is copied. */
  public DigestRepair {
    changed = List.copyOf(changed);
  }
}
