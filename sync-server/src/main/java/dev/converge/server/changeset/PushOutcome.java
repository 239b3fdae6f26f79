package dev.converge.server.changeset;

import dev.converge.core.protocol.Message;
import java.util.List;
import java.util.Set;

/**
 * What a committed push did.
 *
 * @param replicaId the pushing replica
 * @param upToSeq every seq up to this one is consumed: applied before, applied now, or rejected
 * @param results the serverSeq of each applied changeset of the push (re-pushes included, as far as
 *     the retained log still knows them)
 * @param rejections changesets consumed without being applied, with the reason
 * @param changedSpaces spaces whose log grew
 * @param newConflicts register values this push left concurrent (for metrics)
 */
public record PushOutcome(
    String replicaId,
    long upToSeq,
    List<Message.AckResult> results,
    List<Rejection> rejections,
    Set<String> changedSpaces,
    int newConflicts) {

  /** A changeset refused by validation against the stored document. */
  public record Rejection(long seq, String code, String message) {}
}
