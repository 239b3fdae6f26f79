package dev.converge.server.changeset;

import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.server.DocumentRef;
import dev.converge.core.server.LogEntry;
import dev.converge.core.server.PushDecision;
import dev.converge.core.server.PushOutcome;
import dev.converge.core.server.PushPlan;
import dev.converge.core.server.PushRefused;
import dev.converge.core.server.PushRules;
import dev.converge.core.server.Replica;
import dev.converge.core.server.SpaceState;
import dev.converge.core.trust.Lineage;
import dev.converge.server.error.SyncError;
import dev.converge.server.space.SpaceGrants;
import dev.converge.server.space.SpaceSeq;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Applies pushed changesets, each push in one transaction (DESIGN §4), or, for a push into one
 * space, in its space's batch ({@link GroupCommit}): the I/O shell around the server core {@link
 * PushRules}, which decides; this service reads what the core asks for, under the locks, and writes
 * what it decided. The caller answers only after the returned {@link Uni} completes, that is after
 * commit; {@link CommittedPushes} then runs the post-commit effects.
 *
 * <p>Locks are taken in one order by every push: the replica's progress row, then the spaces'
 * counter rows in sorted order, so concurrent pushes cannot deadlock; a space's counter row lock
 * makes commit order equal serverSeq order.
 *
 * <p>Thread-safe; call on a Vert.x context.
 */
@ApplicationScoped
public class PushService {

  /** Channel on which commits wake every server node; the payload is the space. */
  public static final String CHANNEL = "converge_changes";

  private final Mutiny.SessionFactory sessions;
  private final PushRules rules;
  private final ReplicaLineages lineages;
  private final CommittedPushes committed;
  private final GroupCommit groupCommit;
  private final Counter futureStamps;
  private final PushLimits limits;

  PushService(
      Mutiny.SessionFactory sessions,
      PushRules rules,
      ReplicaLineages lineages,
      CommittedPushes committed,
      PushLimits limits,
      GroupCommit groupCommit,
      MeterRegistry registry) {
    this.sessions = sessions;
    this.limits = limits;
    this.rules = rules;
    this.lineages = lineages;
    this.committed = committed;
    this.groupCommit = groupCommit;
    this.futureStamps =
        Counter.builder("converge.clock.future.stamps")
            .description(
                "Pushed changesets stamped beyond this server's clock plus converge.clock.max-offset")
            .register(registry);
  }

  /**
   * Applies a push on behalf of the token's subject, then runs the post-commit effects.
   *
   * @return the outcome, once committed; fails with {@link SyncError} when refused as a whole
   */
  public Uni<PushOutcome> push(SpaceGrants grants, List<Changeset> changesets) {
    return push(grants, changesets, List.of());
  }

  /**
   * Applies a push and records the pusher's stable points ({@code push.stable}) in the same
   * transaction (see {@link StablePoints}), then runs the post-commit effects.
   *
   * @param stable the reports for spaces the pusher's session follows (others are dropped by the
   *     caller)
   * @return the outcome, once committed; fails with {@link SyncError} when refused as a whole
   */
  public Uni<PushOutcome> push(
      SpaceGrants grants, List<Changeset> changesets, List<MessageParts.SpaceStable> stable) {
    long started = System.nanoTime();
    try {
      rules.checkShape(changesets);
      // Before the transaction: a flood costs the database nothing.
      limits.admit(grants, changesets);
    } catch (PushRefused e) {
      return Uni.createFrom().failure(SyncError.of(e));
    } catch (SyncError e) {
      return Uni.createFrom().failure(e);
    }
    String space = singleSpace(changesets);
    // Pushes into one space go through its group commit; a push spanning spaces goes alone.
    Uni<PushOutcome> applied =
        space == null
            ? alone(grants, changesets, stable)
            : groupCommit.submit(
                space, grants, changesets, stable, () -> alone(grants, changesets, stable));
    return applied
        .onFailure(PushRefused.class)
        .transform(e -> SyncError.of(e))
        .invoke(
            outcome -> {
              limits.count(outcome.refusals());
              futureStamps.increment(outcome.futureStamps());
              committed.committed(outcome, Duration.ofNanos(System.nanoTime() - started));
            });
  }

  /**
   * Refuses a push into an erased space: its counter row is never created again (V6 migration), so
   * a push that finds none was racing with the erasure or comes from a token still granting it.
   */
  static void requireNotErased(Object counter, String space) {
    if (counter == null) {
      throw new SyncError(
          ErrorCode.FORBIDDEN_SPACE, "space '" + space + "' was erased; nothing was applied");
    }
  }

  /**
   * The refusal of a push by an erased user: its replica gets no progress row (V9 migration), so
   * the push writes nothing.
   */
  static PushRefused erasedUser() {
    return new PushRefused(
        ErrorCode.FORBIDDEN_SPACE, "the user was erased; nothing was applied", null);
  }

  /** Returns the space every changeset names, or null if they name several. */
  private static String singleSpace(List<Changeset> changesets) {
    String space = changesets.get(0).space();
    for (Changeset changeset : changesets) {
      if (!changeset.space().equals(space)) {
        return null;
      }
    }
    return space;
  }

  /** Applies a push in a transaction of its own. */
  private Uni<PushOutcome> alone(
      SpaceGrants grants, List<Changeset> changesets, List<MessageParts.SpaceStable> stable) {
    return sessions.withTransaction(
        (session, tx) ->
            new Transaction(session, grants, changesets)
                .run()
                .call(() -> StablePoints.record(session, changesets.get(0).replicaId(), stable)));
  }

  /** One push's transaction: read, let the core decide, write. */
  private final class Transaction {
    private final Mutiny.Session session;
    private final SpaceGrants grants;
    private final List<Changeset> changesets;
    private final String replicaId;
    private final Map<String, SpaceSeq> counters = new HashMap<>();
    private final Map<String, SpaceState> spaces = new HashMap<>();

    Transaction(Mutiny.Session session, SpaceGrants grants, List<Changeset> changesets) {
      this.session = session;
      this.grants = grants;
      this.changesets = changesets;
      this.replicaId = changesets.get(0).replicaId();
    }

    Uni<PushOutcome> run() {
      return session
          .createNativeQuery(
              "insert into replica_progress(replica_id, owner_subject, last_seq) values (:r, :s, 0) on conflict do nothing")
          .setParameter("r", replicaId)
          .setParameter("s", grants.subject())
          .executeUpdate()
          .chain(() -> session.find(ReplicaProgress.class, replicaId, LockMode.PESSIMISTIC_WRITE))
          .chain(
              progress -> {
                if (progress == null) {
                  throw erasedUser();
                }
                PushPlan plan =
                    rules.planWithRoles(
                        grants.subject(),
                        new Replica(progress.replicaId, progress.ownerSubject, progress.lastSeq),
                        changesets,
                        grants::role);
                return lineages
                    .lineageOf(session, progress)
                    .chain(lineage -> decide(plan, lineage))
                    .chain(decision -> write(decision, progress));
              });
    }

    private Uni<PushDecision> decide(PushPlan plan, Lineage lineage) {
      return RepushedHistory.refused(session, plan)
          .chain(
              refusals ->
                  RepushedHistory.logged(session, plan)
                      .chain(logged -> readSpaces(plan).replaceWith(logged))
                      .map(logged -> rules.decide(plan, lineage, logged, refusals, spaces)));
    }

    /** Locks each space's counter row, in sorted order, and reads the documents it touches. */
    private Uni<Void> readSpaces(PushPlan plan) {
      Uni<Void> work = Uni.createFrom().voidItem();
      for (String space : plan.spaces()) {
        List<DocumentRef> refs = plan.documents(space);
        work = work.chain(() -> readSpace(space, refs));
      }
      return work;
    }

    private Uni<Void> readSpace(String space, List<DocumentRef> refs) {
      return session
          .createNativeQuery(
              "insert into space_seq(space, head, retained_after) values (:s, 0, 0) on conflict do nothing")
          .setParameter("s", space)
          .executeUpdate()
          .chain(() -> session.find(SpaceSeq.class, space, LockMode.PESSIMISTIC_WRITE))
          .invoke(counter -> requireNotErased(counter, space))
          .chain(
              counter ->
                  StoredStates.read(session, space, refs)
                      .invoke(
                          states -> {
                            counters.put(space, counter);
                            spaces.put(
                                space,
                                new SpaceState(space, counter.head, states, counter.storedBytes));
                          }))
          .replaceWithVoid();
    }

    private Uni<PushOutcome> write(PushDecision decision, ReplicaProgress progress) {
      OffsetDateTime now = OffsetDateTime.now();
      Uni<Void> work =
          decision.refusals().isEmpty()
              ? Uni.createFrom().voidItem()
              : session.persistAll(
                  decision.refusals().stream().map(RejectedChangeset::of).toArray());
      for (PushDecision.SpaceWrite space : decision.spaces()) {
        counters.get(space.space()).head = space.head();
        counters.get(space.space()).storedBytes = space.storedBytes();
        Map<DocumentRef, Long> firstChange = new HashMap<>();
        for (LogEntry entry : space.entries()) {
          firstChange.merge(
              new DocumentRef(entry.space(), entry.collection(), entry.docId()),
              entry.serverSeq(),
              Math::min);
        }
        work =
            work.chain(
                    () ->
                        ChangeWriter.insertLog(
                            session,
                            space.entries(),
                            now,
                            Collections.singletonMap(
                                space.space(), counters.get(space.space()).chain)))
                .chain(() -> ChangeWriter.upsertDocs(session, space.states(), firstChange, now))
                // Delivered at commit, and only if it commits: other nodes wake after the data is
                // visible.
                .chain(() -> SpaceErasure.notify(session, CHANNEL, space.space()));
      }
      progress.lastSeq = decision.lastSeq();
      return work.replaceWith(decision.outcome());
    }
  }
}
