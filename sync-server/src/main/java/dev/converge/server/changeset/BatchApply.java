package dev.converge.server.changeset;

import dev.converge.core.server.DocumentRef;
import dev.converge.core.server.LogEntry;
import dev.converge.core.server.PushDecision;
import dev.converge.core.server.PushPlan;
import dev.converge.core.server.PushRefused;
import dev.converge.core.server.PushRules;
import dev.converge.core.server.RefusalRecord;
import dev.converge.core.server.Replica;
import dev.converge.core.server.SpaceState;
import dev.converge.core.trust.Lineage;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Applies a batch of pushes into one space in one transaction ({@link GroupCommit}): the I/O shell
 * of {@link PushRules} for many pushes at once. The statements do not grow with the batch: one
 * statement each locks and reads the pushers' progress rows and the space's counter row (each
 * preceded by an insert only when rows are new, {@link BatchLocks}), reads every touched document,
 * writes the log rows, the document states, the head with its log chain, and the progress; the core
 * then decides each push in turn against the state the pushes before it left. Statements per push
 * remain only where a push needs them: a re-key lineage, a re-push (earlier log entries and
 * refusals) and stable-point reports.
 *
 * <p>Locks: the progress rows in replica-id order, then the space's counter row, like a single push
 * (one replica row, then its spaces in order), so batches and single pushes cannot deadlock.
 */
@ApplicationScoped
public class BatchApply {

  private final Mutiny.SessionFactory sessions;
  private final PushRules rules;
  private final ReplicaLineages lineages;

  BatchApply(Mutiny.SessionFactory sessions, PushRules rules, ReplicaLineages lineages) {
    this.sessions = sessions;
    this.rules = rules;
    this.lineages = lineages;
  }

  /**
   * Applies {@code batch} (distinct replicas, every changeset naming {@code space}).
   *
   * @return per push, in order, its {@code PushOutcome} or the {@link PushRefused} that refused it;
   *     completes after the commit. Fails, with nothing committed, if the transaction fails.
   */
  Uni<List<Object>> apply(String space, List<GroupCommit.Pending> batch) {
    return sessions.withTransaction((session, tx) -> new Run(session, space, batch).run());
  }

  /** One batch's transaction. */
  private final class Run {
    private final Mutiny.Session session;
    private final String space;
    private final List<GroupCommit.Pending> batch;
    private final Object[] results;
    private final PushPlan[] plans;
    private final Lineage[] lineage;
    private final List<List<LogEntry>> logged = new ArrayList<>();
    private final List<List<RefusalRecord>> refused = new ArrayList<>();
    private final Map<String, ReplicaProgress> progress = new HashMap<>();
    private long head;
    private long storedBytes;

    /** The log chain at {@link #head}, read from the locked counter row (null before chains). */
    private String chain;

    private final Map<DocumentRef, String> states = new HashMap<>();

    Run(Mutiny.Session session, String space, List<GroupCommit.Pending> batch) {
      this.session = session;
      this.space = space;
      this.batch = batch;
      this.results = new Object[batch.size()];
      this.plans = new PushPlan[batch.size()];
      this.lineage = new Lineage[batch.size()];
      for (int i = 0; i < batch.size(); i++) {
        logged.add(List.of());
        refused.add(List.of());
      }
    }

    Uni<List<Object>> run() {
      return lockReplicas()
          .invoke(this::plan)
          .chain(this::readPerPush)
          .chain(this::lockSpace)
          .chain(this::readDocuments)
          .map(v -> decide())
          .chain(this::write)
          .map(v -> java.util.Arrays.asList(results));
    }

    /** Locks and reads the pushers' progress rows, in replica-id order ({@link BatchLocks}). */
    private Uni<Void> lockReplicas() {
      List<GroupCommit.Pending> sorted = new ArrayList<>(batch);
      sorted.sort(Comparator.comparing(GroupCommit.Pending::replicaId));
      return BatchLocks.replicas(session, sorted)
          .invoke(
              rows -> {
                for (Object[] row : rows) {
                  ReplicaProgress p = new ReplicaProgress();
                  p.replicaId = (String) row[0];
                  p.ownerSubject = (String) row[1];
                  p.lastSeq = ((Number) row[2]).longValue();
                  p.predecessor = (String) row[3];
                  p.succeeded = (Boolean) row[4];
                  progress.put(p.replicaId, p);
                }
              })
          .replaceWithVoid();
    }

    /** Plans each push against its replica's progress; a refused plan refuses that push only. */
    private void plan() {
      for (int i = 0; i < batch.size(); i++) {
        GroupCommit.Pending push = batch.get(i);
        ReplicaProgress p = progress.get(push.replicaId());
        if (p == null) {
          results[i] = PushService.erasedUser();
          continue;
        }
        try {
          plans[i] =
              rules.planWithRoles(
                  push.grants().subject(),
                  new Replica(p.replicaId, p.ownerSubject, p.lastSeq),
                  push.changesets(),
                  push.grants()::role);
        } catch (PushRefused e) {
          results[i] = e;
        }
      }
    }

    /** What only some pushes need: the lineage of a re-keyed replica, a re-push's history. */
    private Uni<Void> readPerPush() {
      Uni<Void> work = Uni.createFrom().voidItem();
      for (int i = 0; i < batch.size(); i++) {
        if (plans[i] == null) {
          continue;
        }
        int at = i;
        ReplicaProgress p = progress.get(batch.get(i).replicaId());
        work =
            work.chain(() -> lineages.lineageOf(session, p).invoke(l -> lineage[at] = l))
                .chain(() -> history(at, p.replicaId))
                .replaceWithVoid();
      }
      return work;
    }

    private Uni<Void> history(int at, String replicaId) {
      if (plans[at].repeatedCount() == 0) {
        return Uni.createFrom().voidItem();
      }
      return RepushedHistory.refused(session, plans[at])
          .invoke(rows -> refused.set(at, rows))
          .chain(() -> RepushedHistory.logged(session, plans[at]))
          .invoke(rows -> logged.set(at, rows))
          .replaceWithVoid();
    }

    /** Locks and reads the space's counter row ({@link BatchLocks}). */
    private Uni<Void> lockSpace() {
      return BatchLocks.space(session, space)
          .invoke(
              row -> {
                // Still none after the insert: the space was erased (its row is never recreated).
                PushService.requireNotErased(row, space);
                head = ((Number) row[0]).longValue();
                storedBytes = ((Number) row[1]).longValue();
                chain = (String) row[2];
              })
          .replaceWithVoid();
    }

    /** Reads every document any push of the batch touches, in one statement. */
    private Uni<Void> readDocuments() {
      Set<DocumentRef> refs = new LinkedHashSet<>();
      for (PushPlan plan : plans) {
        if (plan != null && plan.spaces().contains(space)) {
          refs.addAll(plan.documents(space));
        }
      }
      if (refs.isEmpty()) {
        return Uni.createFrom().voidItem();
      }
      return StoredStates.read(session, space, refs).invoke(states::putAll).replaceWithVoid();
    }

    /** The writes of the whole batch, gathered from each push's decision in turn. */
    private final List<LogEntry> entries = new ArrayList<>();

    private final Map<DocumentRef, PushDecision.StateWrite> written = new LinkedHashMap<>();
    private final Map<DocumentRef, Long> firstChange = new HashMap<>();
    private final List<RefusalRecord> refusals = new ArrayList<>();
    private final Map<String, Long> lastSeqs = new LinkedHashMap<>();

    /** Decides each push against what the pushes before it in the batch left. */
    private Void decide() {
      for (int i = 0; i < batch.size(); i++) {
        if (plans[i] == null) {
          continue;
        }
        Map<String, SpaceState> read =
            plans[i].spaces().contains(space)
                ? Map.of(space, new SpaceState(space, head, states, storedBytes))
                : Map.of();
        PushDecision decision;
        try {
          decision = rules.decide(plans[i], lineage[i], logged.get(i), refused.get(i), read);
        } catch (PushRefused e) {
          results[i] = e;
          continue;
        }
        for (PushDecision.SpaceWrite write : decision.spaces()) {
          head = write.head();
          storedBytes = write.storedBytes();
          entries.addAll(write.entries());
          for (LogEntry entry : write.entries()) {
            firstChange.merge(
                new DocumentRef(entry.space(), entry.collection(), entry.docId()),
                entry.serverSeq(),
                Math::min);
          }
          for (PushDecision.StateWrite state : write.states()) {
            states.put(state.ref(), state.stateJson());
            written.put(state.ref(), state);
          }
        }
        refusals.addAll(decision.refusals());
        lastSeqs.put(plans[i].replicaId(), decision.lastSeq());
        results[i] = decision.outcome();
      }
      return null;
    }

    private Uni<Void> write(Void ignored) {
      OffsetDateTime now = OffsetDateTime.now();
      Uni<Void> work =
          refusals.isEmpty()
              ? Uni.createFrom().voidItem()
              : session.persistAll(refusals.stream().map(RejectedChangeset::of).toArray());
      BatchWrite.Writes writes =
          new BatchWrite.Writes(
              space,
              entries,
              chain,
              List.copyOf(written.values()),
              firstChange,
              movedProgress(),
              head,
              storedBytes);
      if (BatchWrite.fits(writes)) {
        return stablePoints(
            work.chain(() -> BatchWrite.write(session, writes, now))
                .invoke(c -> chain = c)
                .replaceWithVoid());
      }
      if (!entries.isEmpty()) {
        work =
            work.chain(
                    () ->
                        ChangeWriter.appendLog(
                            session, entries, now, Collections.singletonMap(space, chain)))
                .invoke(heads -> chain = heads.get(space))
                .chain(
                    () ->
                        ChangeWriter.upsertDocs(
                            session, List.copyOf(written.values()), firstChange, now))
                .chain(
                    () ->
                        session
                            // The head with its chain, and the notification delivered at commit
                            // (only if it commits: other nodes wake after the data is visible).
                            .createNativeQuery(
                                "with moved as (update space_seq set head = :h, stored_bytes = :b,"
                                    + " chain = :c where space = :s returning space)"
                                    + " select count(pg_notify(:channel, space)) from moved")
                            .setParameter("h", head)
                            .setParameter("b", storedBytes)
                            .setParameter("c", chain)
                            .setParameter("s", space)
                            .setParameter("channel", PushService.CHANNEL)
                            .executeUpdate())
                .replaceWithVoid();
      }
      work = work.chain(this::writeProgress);
      return stablePoints(work);
    }

    /** Records the stable points the batch's pushes reported, after {@code work}. */
    private Uni<Void> stablePoints(Uni<Void> work) {
      for (int i = 0; i < batch.size(); i++) {
        if (results[i] instanceof dev.converge.core.server.PushOutcome) {
          GroupCommit.Pending push = batch.get(i);
          work = work.chain(() -> StablePoints.record(session, push.replicaId(), push.stable()));
        }
      }
      return work;
    }

    /** The replicas whose last acked seq the batch moved, with the seq. */
    private List<Map.Entry<String, Long>> movedProgress() {
      return lastSeqs.entrySet().stream()
          .filter(e -> e.getValue() != progress.get(e.getKey()).lastSeq)
          .toList();
    }

    /** Sets the progress of every replica that moved, in one statement. */
    private Uni<Void> writeProgress() {
      List<Map.Entry<String, Long>> moved = movedProgress();
      if (moved.isEmpty()) {
        return Uni.createFrom().voidItem();
      }
      StringBuilder sql = new StringBuilder();
      BatchWrite.appendProgressUpdate(sql, moved.size());
      Mutiny.Query<?> query = session.createNativeQuery(sql.toString());
      BatchWrite.bindProgress(query, moved);
      return query.executeUpdate().replaceWithVoid();
    }
  }
}
