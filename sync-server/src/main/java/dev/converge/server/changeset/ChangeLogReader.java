package dev.converge.server.changeset;

import dev.converge.core.server.CursorRules;
import dev.converge.core.server.LogChain;
import dev.converge.server.space.SpaceSeq;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Reads a space's change log and head. Reads see only committed changes, and since serverSeqs are
 * allocated under the space's row lock, a page read after seq {@code n} never misses a change that
 * later commits with a smaller seq.
 *
 * <p>Thread-safe; call on a Vert.x context.
 */
@ApplicationScoped
public class ChangeLogReader {

  private final Mutiny.SessionFactory sessions;

  /**
   * Runs a read in a session of its own. {@code withSession} would join a session already bound to
   * the caller's Vert.x context, and one sync session reads several spaces at once on its
   * connection's context: a Hibernate Reactive session must never be used concurrently.
   */
  private <T> Uni<T> read(java.util.function.Function<Mutiny.Session, Uni<T>> work) {
    return sessions.openSession().chain(session -> work.apply(session).eventually(session::close));
  }

  ChangeLogReader(Mutiny.SessionFactory sessions) {
    this.sessions = sessions;
  }

  /**
   * Returns up to {@code limit} changes of {@code space} with serverSeq above {@code since}, in
   * order.
   */
  public Uni<List<LoggedChange>> read(String space, long since, int limit) {
    return read(
        session ->
            session
                .createNamedQuery(ChangeLogEntry.AFTER_CURSOR, ChangeLogEntry.class)
                .setParameter("space", space)
                .setParameter("since", since)
                .setMaxResults(limit)
                .getResultList()
                .map(
                    entries ->
                        entries.stream()
                            .map(
                                e ->
                                    new LoggedChange(
                                        e.key.serverSeq,
                                        e.collection,
                                        e.docId,
                                        e.replicaId,
                                        e.seq,
                                        e.delta,
                                        e.committedAt.toInstant().toEpochMilli(),
                                        e.chain))
                            .toList()));
  }

  /**
   * Returns the head and retention floor of {@code space}; a space never written to has both at 0.
   */
  public Uni<SpaceHead> head(String space) {
    return read(session -> session.find(SpaceSeq.class, space))
        .map(row -> row == null ? new SpaceHead(space, 0, 0, 0) : SpaceHead.of(row));
  }

  /** Heads of several spaces. */
  public Uni<List<SpaceHead>> heads(List<String> spaces) {
    if (spaces.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return read(session -> session.find(SpaceSeq.class, spaces.toArray()))
        .map(
            rows -> {
              var heads = new java.util.ArrayList<SpaceHead>(spaces.size());
              for (int i = 0; i < spaces.size(); i++) {
                SpaceSeq row = rows.get(i);
                heads.add(row == null ? new SpaceHead(spaces.get(i), 0, 0, 0) : SpaceHead.of(row));
              }
              return heads;
            });
  }

  /**
   * A space's head and retention floor.
   *
   * @param space the space
   * @param head greatest committed serverSeq
   * @param retainedAfter changes at or below this were compacted away
   * @param compactedThrough the greatest point at which the space's counters were compacted
   * @param chain the log chain at {@code head}, or null when unknown
   * @param retainedChain the log chain at {@code retainedAfter}, or null when unknown
   */
  public record SpaceHead(
      String space,
      long head,
      long retainedAfter,
      long compactedThrough,
      String chain,
      String retainedChain) {

    /** A head without known chains. */
    public SpaceHead(String space, long head, long retainedAfter, long compactedThrough) {
      this(space, head, retainedAfter, compactedThrough, head == 0 ? LogChain.GENESIS : null, null);
    }

    /** Returns the head of a space's counter row. */
    public static SpaceHead of(SpaceSeq row) {
      return new SpaceHead(
          row.space,
          row.head,
          row.retainedAfter,
          row.compactedThrough,
          row.chain,
          row.retainedChain);
    }

    /** Whether a reader whose cursor is {@code since} needs a snapshot instead of log pages. */
    public boolean needsSnapshot(long since) {
      return CursorRules.needsSnapshot(since, retainedAfter, head);
    }

    /**
     * Whether a WebSocket session that starts following from {@code since} gets a snapshot: as
     * {@link #needsSnapshot}, and also below the compaction point, since such a session was in no
     * live set when the space's counters were compacted there (docs/crdt.md). A REST reader is
     * served the log: it is never in a live set, and the log in order keeps its state right.
     */
    public boolean followNeedsSnapshot(long since) {
      return CursorRules.followNeedsSnapshot(since, retainedAfter, head, compactedThrough);
    }
  }
}
