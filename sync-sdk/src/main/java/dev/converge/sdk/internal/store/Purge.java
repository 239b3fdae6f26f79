package dev.converge.sdk.internal.store;

import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import java.util.List;

/**
 * What purging a space removed.
 *
 * @param documents the documents deleted
 * @param rejected the unsent changes of the space, now rejected
 * @param rekeyed whether the store took a new replica id to keep its seqs contiguous
 */
public record Purge(List<DocumentKey> documents, List<RejectedChange> rejected, boolean rekeyed) {
  /** Creates a purge record. */
  public Purge {
    documents = List.copyOf(documents);
    rejected = List.copyOf(rejected);
  }
}
