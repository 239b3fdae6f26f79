package dev.converge.server.changeset;

import dev.converge.core.crdt.Hlc;
import dev.converge.core.server.CompactionRules;
import dev.converge.core.server.LogEntry;
import dev.converge.core.server.Utf8Length;
import dev.converge.server.db.PlanCacheBypass;
import dev.converge.server.document.DocState;
import dev.converge.server.space.SpaceSeq;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Counter compaction (DESIGN §2, §7; docs/crdt.md "Bounded counters: the server's rules"): the I/O
 * shell of {@link CompactionRules}. Off the push path: {@code sync.Maintenance} calls {@link #tick}
 * on a timer.
 *
 * <p>One pass over a space is one transaction under the space's counter-row lock (the lock every
 * push of the space takes, and log retention too): the replicas the retention horizon passed leave
 * the live set; the compaction point is computed from the rest; up to {@code documents-per-space}
 * documents due at that point are compacted, each one's stable point derived from its state and the
 * log entries above the point; every non-empty compaction delta is appended to the space's log as
 * an ordinary change (origin {@link CompactionRules#ORIGIN}), so followers receive it in log order,
 * before any remove made against its runs; the space's {@code compacted_through} rises to the
 * point.
 *
 * <p>Thread-safe; call on a Vert.x context marked safe for Hibernate Reactive, one call at a time.
 */
@ApplicationScoped
public class CounterCompactor {

  private static final Logger LOG = Logger.getLogger(CounterCompactor.class);

  /** Spaces with a document due at the space's current compaction point, oldest change first. */
  private static final String DUE_SPACES =
      """
      select d.space from doc_state d join space_seq s on s.space = d.space
       where d.compact_due is not null
         and d.compact_due <= greatest(s.retained_after, least(s.head, coalesce(
               (select min(p.stable) from stable_point p
                 where p.space = s.space and p.stable >= s.retained_after), s.head)))
       group by d.space order by min(d.updated_at) limit :limit""";

  private static final int SEQS_PER_QUERY = 1_000;

  private final Mutiny.SessionFactory sessions;
  private final CompactionRules rules;
  private final int spacesPerTick;
  private final int documentsPerSpace;

  CounterCompactor(
      Mutiny.SessionFactory sessions,
      CompactionRules rules,
      @ConfigProperty(name = "converge.counter-compaction.spaces-per-tick", defaultValue = "20")
          int spacesPerTick,
      @ConfigProperty(
              name = "converge.counter-compaction.documents-per-space",
              defaultValue = "100")
          int documentsPerSpace) {
    if (spacesPerTick < 1 || documentsPerSpace < 1) {
      throw new IllegalArgumentException(
          "converge.counter-compaction.spaces-per-tick and documents-per-space must be >= 1");
    }
    this.sessions = sessions;
    this.rules = rules;
    this.spacesPerTick = spacesPerTick;
    this.documentsPerSpace = documentsPerSpace;
  }

  /**
   * What one pass over a space did.
   *
   * @param space the space
   * @param point its compaction point
   * @param examined documents looked at
   * @param compacted documents whose counters were coalesced (one log entry each)
   * @param entriesRemoved counter entries removed by coalescing
   * @param expired replicas that left the live set because the retention horizon passed their point
   * @param more whether documents may still be due (the pass hit its bound)
   */
  public record SpaceCompaction(
      String space,
      long point,
      int examined,
      int compacted,
      long entriesRemoved,
      int expired,
      boolean more) {}

  /**
   * Compacts up to {@code spaces-per-tick} spaces with documents due, one after the other.
   *
   * @return what each pass did
   */
  public Uni<List<SpaceCompaction>> tick() {
    return dueSpaces()
        .onItem()
        .transformToMulti(spaces -> Multi.createFrom().iterable(spaces))
        .onItem()
        .transformToUniAndConcatenate(this::compact)
        .collect()
        .asList();
  }

  private Uni<List<String>> dueSpaces() {
    return sessions.withSession(
        session ->
            session
                .createNativeQuery(DUE_SPACES, String.class)
                .setParameter("limit", spacesPerTick)
                .getResultList());
  }

  /** Runs one pass over {@code space}, in one transaction. */
  public Uni<SpaceCompaction> compact(String space) {
    return sessions.withTransaction(session -> new Pass(session, space).run());
  }

  /** One pass over one space, under its lock. */
  private final class Pass {
    private final Mutiny.Session session;
    private final String space;
    private SpaceSeq row;
    private long point;
    private int expired;

    Pass(Mutiny.Session session, String space) {
      this.session = session;
      this.space = space;
    }

    Uni<SpaceCompaction> run() {
      return session
          .find(SpaceSeq.class, space, LockMode.PESSIMISTIC_WRITE)
          .chain(
              found -> {
                if (found == null) {
                  return Uni.createFrom().item(new SpaceCompaction(space, 0, 0, 0, 0, 0, false));
                }
                row = found;
                return expire().chain(this::livePoints).chain(this::compactDue);
              });
    }

    /** Replicas behind the retention horizon leave the live set: they need a snapshot anyway. */
    private Uni<Void> expire() {
      return session
          .createNativeQuery("delete from stable_point where space = :s and stable < :h")
          .setParameter("s", space)
          .setParameter("h", row.retainedAfter)
          .executeUpdate()
          .invoke(n -> expired = n)
          .replaceWithVoid();
    }

    private Uni<List<Long>> livePoints() {
      return session
          .createNativeQuery("select stable from stable_point where space in (:s)", Long.class)
          .setParameter("s", PlanCacheBypass.key(space))
          .getResultList();
    }

    private Uni<SpaceCompaction> compactDue(List<Long> live) {
      point = CompactionRules.compactionPoint(row.head, row.retainedAfter, live);
      return session
          .createNamedQuery(DocState.DUE, DocState.class)
          .setParameter("space", space)
          .setParameter("point", point)
          .setMaxResults(documentsPerSpace)
          .getResultList()
          .chain(
              docs ->
                  docs.isEmpty()
                      ? Uni.createFrom()
                          .item(new SpaceCompaction(space, point, 0, 0, 0, expired, false))
                      : entriesAbove(docs).chain(above -> write(docs, above)));
    }

    /** The log entries above the point of each of {@code docs}, compaction entries aside. */
    private Uni<Map<String, List<CompactionRules.LoggedDelta>>> entriesAbove(List<DocState> docs) {
      Map<String, List<CompactionRules.LoggedDelta>> byDoc = new HashMap<>();
      docs.forEach(d -> byDoc.put(key(d.key.collection, d.key.docId), new ArrayList<>()));
      return session
          .createNamedQuery(ChangeLogEntry.PUSHED_ABOVE, Object[].class)
          .setParameter("space", space)
          .setParameter("point", point)
          .setParameter("origin", CompactionRules.ORIGIN)
          .getResultList()
          .chain(
              rows -> {
                List<Long> seqs = new ArrayList<>();
                for (Object[] r : rows) {
                  if (byDoc.containsKey(key((String) r[1], (String) r[2]))) {
                    seqs.add(((Number) r[0]).longValue());
                  }
                }
                Uni<Void> work = Uni.createFrom().voidItem();
                for (int from = 0; from < seqs.size(); from += SEQS_PER_QUERY) {
                  List<Long> chunk =
                      seqs.subList(from, Math.min(seqs.size(), from + SEQS_PER_QUERY));
                  work =
                      work.chain(
                          () ->
                              session
                                  .createNamedQuery(ChangeLogEntry.AT_SEQS, ChangeLogEntry.class)
                                  .setParameter("space", space)
                                  .setParameter("seqs", chunk)
                                  .getResultList()
                                  .invoke(
                                      entries ->
                                          entries.forEach(
                                              e ->
                                                  byDoc
                                                      .get(key(e.collection, e.docId))
                                                      .add(
                                                          new CompactionRules.LoggedDelta(
                                                              e.key.serverSeq,
                                                              e.replicaId,
                                                              e.delta))))
                                  .replaceWithVoid());
                }
                return work.replaceWith(byDoc);
              });
    }

    /**
     * Compacts {@code docs} and writes what changed. Decoding and joining a large document takes
     * CPU time (seconds for a document of a million increments on a loaded machine), so the
     * compaction itself runs on a worker thread and only its results come back to the session's
     * context: the event loop keeps serving sessions meanwhile.
     */
    private Uni<SpaceCompaction> write(
        List<DocState> docs, Map<String, List<CompactionRules.LoggedDelta>> above) {
      List<Input> inputs = new ArrayList<>(docs.size());
      for (DocState doc : docs) {
        inputs.add(new Input(doc.state, above.get(key(doc.key.collection, doc.key.docId))));
      }
      return offEventLoop(() -> compactAll(inputs)).chain(outcomes -> persist(docs, outcomes));
    }

    private List<Outcome> compactAll(List<Input> inputs) {
      List<Outcome> outcomes = new ArrayList<>(inputs.size());
      for (Input input : inputs) {
        try {
          outcomes.add(new Outcome(rules.compact(input.state(), point, input.above()), null));
        } catch (RuntimeException e) {
          outcomes.add(new Outcome(null, String.valueOf(e.getMessage())));
        }
      }
      return outcomes;
    }

    private Uni<SpaceCompaction> persist(List<DocState> docs, List<Outcome> outcomes) {
      OffsetDateTime now = OffsetDateTime.now();
      List<DocState> changed = new ArrayList<>();
      List<CompactionRules.DocumentCompaction> results = new ArrayList<>();
      long removed = 0;
      for (int i = 0; i < docs.size(); i++) {
        DocState doc = docs.get(i);
        Outcome outcome = outcomes.get(i);
        if (outcome.result() == null) {
          // A state the codec cannot read is left as it is, not retried every tick: it is looked
          // at again after its next change.
          LOG.warnf("Counter compaction skipped document %s: %s", doc.key, outcome.failure());
          doc.compactDue = null;
          continue;
        }
        CompactionRules.DocumentCompaction result = outcome.result();
        doc.compactDue = result.nextDue();
        if (result.compacted()) {
          changed.add(doc);
          results.add(result);
          removed += result.entriesBefore() - result.entriesAfter();
        }
      }
      int examined = docs.size();
      boolean more = docs.size() == documentsPerSpace;
      if (changed.isEmpty()) {
        return Uni.createFrom()
            .item(new SpaceCompaction(space, point, examined, 0, 0, expired, more));
      }
      long entriesRemoved = removed;
      return session
          .createNativeQuery(
              "select nextval('compaction_origin_seq') from generate_series(1, :n)", Long.class)
          .setParameter("n", changed.size())
          .getResultList()
          .chain(
              origins -> {
                List<LogEntry> entries = new ArrayList<>(changed.size());
                String hlc = new Hlc(System.currentTimeMillis(), 0).toString();
                for (int i = 0; i < changed.size(); i++) {
                  DocState doc = changed.get(i);
                  CompactionRules.DocumentCompaction result = results.get(i);
                  row.head++;
                  entries.add(
                      new LogEntry(
                          space,
                          row.head,
                          doc.key.collection,
                          doc.key.docId,
                          CompactionRules.ORIGIN,
                          origins.get(i),
                          hlc,
                          result.deltaJson()));
                  row.storedBytes =
                      Math.max(
                          0,
                          row.storedBytes
                              + Utf8Length.of(result.stateJson())
                              - Utf8Length.of(doc.state));
                  doc.state = result.stateJson();
                  doc.headSeq = row.head;
                  doc.updatedAt = now;
                }
                row.compactedThrough = Math.max(row.compactedThrough, point);
                return ChangeWriter.insertLog(
                    session, entries, now, Collections.singletonMap(space, row.chain));
              })
          // Delivered at commit, and only if it commits, as for a push.
          .chain(() -> SpaceErasure.notify(session, PushService.CHANNEL, space))
          .replaceWith(
              new SpaceCompaction(
                  space, point, examined, changed.size(), entriesRemoved, expired, more));
    }
  }

  /** One document's stored state and the log entries above the compaction point. */
  private record Input(String state, List<CompactionRules.LoggedDelta> above) {}

  /** One document's compaction, or why its state could not be read. */
  private record Outcome(CompactionRules.DocumentCompaction result, String failure) {}

  /**
   * Runs {@code work} on a Vert.x worker thread and emits its result back on the calling context
   * (the session's thread, as Hibernate Reactive requires). Without a Vert.x context (a plain
   * caller) the work simply runs in place.
   */
  private static <T> Uni<T> offEventLoop(java.util.concurrent.Callable<T> work) {
    io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
    if (context == null) {
      return Uni.createFrom().item(() -> call(work));
    }
    return Uni.createFrom()
        .completionStage(() -> context.executeBlocking(work, false).toCompletionStage());
  }

  private static <T> T call(java.util.concurrent.Callable<T> work) {
    try {
      return work.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String key(String collection, String docId) {
    return collection + "\u0000" + docId;
  }
}
