package dev.converge.server.changeset;

import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.server.PushOutcome;
import dev.converge.server.space.SpaceGrants;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Group commit: the pushes into one space that arrive on this node while a transaction of that
 * space is running wait in the space's queue and are then applied together by one transaction
 * ({@link BatchApply}), so concurrent pushers share its round trips and its commit instead of
 * queueing one by one on the space's row lock. Across nodes the row lock still orders the batches.
 *
 * <p>Each push still gets its own answer after the commit, or its own error: a push the core
 * refuses is left out of its batch, and a batch whose transaction fails is applied again push by
 * push (each alone, as before group commit), so one push can never fail another.
 *
 * <p>Bounded: a batch holds at most {@link #MAX_PUSHES} pushes and {@link #MAX_CHANGESETS}
 * changesets (a bigger push goes alone), and each replica at most once (its second push waits for
 * the next batch, so each push is planned against its replica's committed progress). Thread-safe.
 */
@ApplicationScoped
public class GroupCommit {

  private static final Logger LOG = Logger.getLogger(GroupCommit.class);

  /** Pushes per batch, at most. */
  static final int MAX_PUSHES = 64;

  /** Changesets per batch, at most (a single larger push is a batch of its own). */
  static final int MAX_CHANGESETS = 1_000;

  private final BatchApply apply;
  private final Vertx vertx;
  private final Map<String, Lane> lanes = new HashMap<>();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicInteger largest = new AtomicInteger();
  private final AtomicLong failedBatches = new AtomicLong();

  GroupCommit(BatchApply apply, Vertx vertx) {
    this.apply = apply;
    this.vertx = vertx;
  }

  /** The waiting pushes of one space, and whether a batch of it is running on this node. */
  private static final class Lane {
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    boolean running;
  }

  /**
   * A push waiting for its batch.
   *
   * @param alone applies the push in a transaction of its own (the path when its batch failed)
   */
  record Pending(
      SpaceGrants grants,
      List<Changeset> changesets,
      List<MessageParts.SpaceStable> stable,
      Supplier<Uni<PushOutcome>> alone,
      CompletableFuture<PushOutcome> result) {

    String replicaId() {
      return changesets.get(0).replicaId();
    }
  }

  /**
   * Queues a push whose changesets all name {@code space}; completes once its batch committed, on
   * the subscriber's Vert.x context. Fails with the core's {@code PushRefused} when refused as a
   * whole.
   */
  Uni<PushOutcome> submit(
      String space,
      SpaceGrants grants,
      List<Changeset> changesets,
      List<MessageParts.SpaceStable> stable,
      Supplier<Uni<PushOutcome>> alone) {
    return Uni.createFrom()
        .deferred(
            () -> {
              Context caller = Vertx.currentContext();
              Pending pending =
                  new Pending(grants, changesets, stable, alone, new CompletableFuture<>());
              enqueue(space, pending);
              Uni<PushOutcome> result = Uni.createFrom().completionStage(pending.result());
              // Answer on the caller's context: its session is confined to it.
              return caller == null
                  ? result
                  : result.emitOn(task -> caller.runOnContext(v -> task.run()));
            });
  }

  private void enqueue(String space, Pending pending) {
    List<Pending> batch;
    synchronized (lanes) {
      Lane lane = lanes.computeIfAbsent(space, s -> new Lane());
      lane.waiting.add(pending);
      if (lane.running) {
        return;
      }
      lane.running = true;
      batch = take(lane);
    }
    start(space, batch);
  }

  /** Takes the next batch off the lane; the caller holds the lock and the lane is running. */
  private static List<Pending> take(Lane lane) {
    List<Pending> batch = new ArrayList<>();
    Set<String> replicas = new HashSet<>();
    int changesets = 0;
    var it = lane.waiting.iterator();
    while (it.hasNext() && batch.size() < MAX_PUSHES) {
      Pending next = it.next();
      int size = next.changesets().size();
      if (!batch.isEmpty() && changesets + size > MAX_CHANGESETS) {
        break;
      }
      if (!replicas.add(next.replicaId())) {
        continue; // the replica's second push goes in a later batch, in its order
      }
      it.remove();
      batch.add(next);
      changesets += size;
    }
    return batch;
  }

  /** Runs a batch on a fresh context of its own (Hibernate Reactive binds sessions to contexts). */
  private void start(String space, List<Pending> batch) {
    Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    VertxContextSafetyToggle.setContextSafe(context, true);
    context.runOnContext(v -> run(space, batch));
  }

  private void run(String space, List<Pending> batch) {
    batches.incrementAndGet();
    largest.accumulateAndGet(batch.size(), Math::max);
    Uni<Void> work;
    try {
      work =
          apply
              .apply(space, batch)
              // Answered only now, after the commit.
              .invoke(results -> answer(batch, results))
              .replaceWithVoid()
              .onFailure()
              .recoverWithUni(failure -> alone(space, batch, failure));
    } catch (RuntimeException e) {
      work = alone(space, batch, e);
    }
    work.subscribe().with(ok -> next(space), failure -> next(space));
  }

  /** Batches started since start. */
  public long batches() {
    return batches.get();
  }

  /** Pushes in the largest batch so far. */
  public int largestBatch() {
    return largest.get();
  }

  /** Batches of several pushes whose transaction failed and that were applied push by push. */
  public long failedBatches() {
    return failedBatches.get();
  }

  private static void answer(List<Pending> batch, List<Object> results) {
    for (int i = 0; i < batch.size(); i++) {
      Object result = results.get(i);
      if (result instanceof PushOutcome outcome) {
        batch.get(i).result().complete(outcome);
      } else {
        batch.get(i).result().completeExceptionally((Throwable) result);
      }
    }
  }

  /**
   * The batch's transaction failed (a database error, not a refusal): nothing of it committed. Each
   * push is applied again on its own, so it gets the answer it would have had alone.
   */
  private Uni<Void> alone(String space, List<Pending> batch, Throwable failure) {
    if (batch.size() == 1) {
      batch.get(0).result().completeExceptionally(failure);
      return Uni.createFrom().voidItem();
    }
    failedBatches.incrementAndGet();
    LOG.debugf(
        "Batch of %d pushes into %s failed (%s); applying them one by one",
        batch.size(), space, failure);
    Uni<Void> work = Uni.createFrom().voidItem();
    for (Pending pending : batch) {
      work =
          work.chain(
              () ->
                  pending
                      .alone()
                      .get()
                      .onItemOrFailure()
                      .invoke(
                          (outcome, error) -> {
                            if (error != null) {
                              pending.result().completeExceptionally(error);
                            } else {
                              pending.result().complete(outcome);
                            }
                          })
                      .onFailure()
                      .recoverWithNull()
                      .replaceWithVoid());
    }
    return work;
  }

  private void next(String space) {
    List<Pending> batch;
    synchronized (lanes) {
      Lane lane = lanes.get(space);
      if (lane.waiting.isEmpty()) {
        lanes.remove(space);
        return;
      }
      batch = take(lane);
    }
    start(space, batch);
  }
}
