package dev.converge.core.server;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a push did, as its pusher and the server's observers see it once it committed.
 *
 * @param replicaId the pushing replica
 * @param upToSeq every seq up to this one is consumed: applied before, applied now, or refused
 * @param results the serverSeq of each applied changeset of the push, by seq (re-pushes included,
 *     as far as the retained log still knows them)
 * @param refusals changesets consumed without being applied, by seq, with the reason
 * @param changedSpaces spaces whose log grew, sorted
 * @param newConflicts register values this push left concurrent, net (for metrics)
 * @param futureStamps changesets stamped beyond the server's clock plus the allowed offset
 *     (counted, not refused)
 */
public record PushOutcome(
    String replicaId,
    long upToSeq,
    List<MessageParts.AckResult> results,
    List<Refusal> refusals,
    SortedSet<String> changedSpaces,
    int newConflicts,
    int futureStamps) {

  /** Copies the collections. */
  public PushOutcome {
    results = List.copyOf(results);
    refusals = List.copyOf(refusals);
    changedSpaces = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(changedSpaces));
  }

  /** Returns the ack the pusher gets after the refusals. */
  public Message.Ack ack() {
    return new Message.Ack(replicaId, upToSeq, results);
  }
}
