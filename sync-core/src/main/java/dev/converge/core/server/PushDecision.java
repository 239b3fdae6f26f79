package dev.converge.core.server;

import java.util.List;
import java.util.Objects;

/**
 * Everything a push changes, from {@link PushRules#decide}: the writer applies all of it in the
 * push's transaction, or none of it.
 *
 * @param outcome what the pusher is told once the writes commit
 * @param lastSeq the replica's new last consumed seq
 * @param refusals refusal records to keep (new refusals only; repeated ones are kept already)
 * @param spaces per space whose log grows: its new head, its new log entries and document states
 */
public record PushDecision(
    PushOutcome outcome, long lastSeq, List<RefusalRecord> refusals, List<SpaceWrite> spaces) {

  /** Copies the lists. */
  public PushDecision {
    Objects.requireNonNull(outcome, "outcome");
    refusals = List.copyOf(refusals);
    spaces = List.copyOf(spaces);
  }

  /**
   * The writes of one space: append {@code entries} to its log, store {@code states}, and set its
   * head; then notify the space's followers once committed.
   *
   * @param space the space
   * @param head its new head: the last entry's serverSeq
   * @param entries new log entries, in serverSeq order
   * @param states the new state of every document an entry touched
   * @param storedBytes the space's stored bytes once {@code states} are written
   */
  public record SpaceWrite(
      String space, long head, List<LogEntry> entries, List<StateWrite> states, long storedBytes) {
    /** Copies the lists. */
    public SpaceWrite {
      Objects.requireNonNull(space, "space");
      entries = List.copyOf(entries);
      states = List.copyOf(states);
    }
  }

  /**
   * A document's new stored state.
   *
   * @param ref the document
   * @param stateJson its state in the wire encoding
   * @param headSeq the serverSeq of the last change applied to it
   */
  public record StateWrite(DocumentRef ref, String stateJson, long headSeq) {
    /** Creates the write. */
    public StateWrite {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(stateJson, "stateJson");
    }
  }
}
