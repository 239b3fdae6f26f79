package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;

/**
 * A local change: applies itself to {@code document} through a sync-core mutator and returns the
 * delta.
 */
@FunctionalInterface
public interface LocalMutation {
  /**
   * Mutates {@code document} as {@code replicaId} at {@code hlc}; returns the delta (empty for no
   * change).
   */
  Document apply(Document document, String replicaId, Hlc hlc);
}
