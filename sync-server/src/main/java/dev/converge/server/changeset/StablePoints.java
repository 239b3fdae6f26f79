package dev.converge.server.changeset;

import dev.converge.core.protocol.MessageParts;
import dev.converge.server.changeset.ChangeLogReader.SpaceHead;
import dev.converge.server.db.PlanCacheBypass;
import dev.converge.server.space.SpaceSeq;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The live set of each space (DESIGN §7; docs/protocol-2.md "Stable points"; docs/crdt.md "Bounded
 * counters: the server's rules"): the stable point each replica reported, persisted in {@code
 * stable_point} and only ever raised.
 *
 * <p>A report is clamped to {@code [retained_after, head]} of its space, never refused: a point
 * above the head (a device that followed a log since reset from a backup, or a faulty client)
 * becomes the head, which is true of every change the log now holds; a point below the retention
 * horizon becomes the horizon (the replica needs a snapshot anyway, and what it made from older
 * data is past every guarantee). An inflated report only ever harms the reporter's own removes,
 * since the compaction point is the least of all points.
 *
 * <p>A replica enters the live set of a space with its {@code hello} subscription (without a {@code
 * stable}, at the horizon) and leaves it when it re-keys (its successor's hello names it), when its
 * token loses the space, when it unsubscribes, when a hello of it no longer subscribes to the
 * space, and when the retention horizon passes its point ({@link CounterCompactor} and {@link
 * LogCompaction}).
 *
 * <p>Thread-safe; call on a Vert.x context marked safe for Hibernate Reactive.
 */
@ApplicationScoped
public class StablePoints {

  private static final String UPSERT =
      """
      insert into stable_point (space, replica_id, stable, updated_at)
      select s.space, :r, least(greatest(cast(:v as bigint), s.retained_after), s.head), now()
        from space_seq s where s.space = :s
      on conflict (space, replica_id) do update
        set stable = greatest(stable_point.stable, excluded.stable), updated_at = excluded.updated_at""";

  private final Mutiny.SessionFactory sessions;

  StablePoints(Mutiny.SessionFactory sessions) {
    this.sessions = sessions;
  }

  /**
   * Starts a session of {@code replicaId}: records the point of each subscription (a subscription
   * without one enters at the retention horizon, or keeps what was recorded), ends the replica's
   * membership in every space it no longer subscribes to and, when {@code predecessor} is given,
   * every membership of the predecessor; returns the head of each subscribed space (none for a
   * space erased in the meantime).
   *
   * <p>Each space's counter row is locked for share while its point is recorded and its head read,
   * so a compaction of the space either sees the new point or has committed before the head is
   * read: a session starting below a compaction point is told to take a snapshot.
   *
   * @param subscriptions the granted subscriptions, each space once
   * @param predecessor the replica this one succeeds (declared, same subject), or null
   */
  public Uni<Map<String, SpaceHead>> hello(
      String replicaId, List<MessageParts.Subscription> subscriptions, String predecessor) {
    Map<String, MessageParts.Subscription> bySpace = new TreeMap<>();
    subscriptions.forEach(s -> bySpace.putIfAbsent(s.space(), s));
    return sessions.withTransaction(
        session -> {
          Map<String, SpaceHead> heads = new TreeMap<>();
          Uni<Void> work = Uni.createFrom().voidItem();
          for (MessageParts.Subscription subscription : bySpace.values()) {
            work = work.chain(() -> enter(session, replicaId, subscription, heads));
          }
          // The memberships that end come after the counter rows are locked, in the order a
          // compaction takes them (counter row, then stable points): no deadlock with one.
          work =
              work.chain(
                  () -> {
                    var leave =
                        bySpace.isEmpty()
                            ? session
                                .createNativeQuery("delete from stable_point where replica_id = :r")
                                .setParameter("r", replicaId)
                            : session
                                .createNativeQuery(
                                    "delete from stable_point where replica_id = :r and space not in (:spaces)")
                                .setParameter("r", replicaId)
                                .setParameter("spaces", List.copyOf(bySpace.keySet()));
                    return leave.executeUpdate().replaceWithVoid();
                  });
          if (predecessor != null && !predecessor.equals(replicaId)) {
            work =
                work.chain(
                    () ->
                        session
                            .createNativeQuery("delete from stable_point where replica_id = :p")
                            .setParameter("p", predecessor)
                            .executeUpdate()
                            .replaceWithVoid());
          }
          return work.replaceWith(heads);
        });
  }

  /**
   * A runtime {@code subscribe} of {@code replicaId}: records the point of each subscription, as
   * {@link #hello} does, without ending any other membership; returns the head of each space.
   *
   * @param subscriptions the granted subscriptions, each space once
   */
  public Uni<Map<String, SpaceHead>> enter(
      String replicaId, List<MessageParts.Subscription> subscriptions) {
    Map<String, MessageParts.Subscription> bySpace = new TreeMap<>();
    subscriptions.forEach(s -> bySpace.putIfAbsent(s.space(), s));
    return sessions.withTransaction(
        session -> {
          Map<String, SpaceHead> heads = new TreeMap<>();
          Uni<Void> work = Uni.createFrom().voidItem();
          for (MessageParts.Subscription subscription : bySpace.values()) {
            work = work.chain(() -> enter(session, replicaId, subscription, heads));
          }
          return work.replaceWith(heads);
        });
  }

  private static Uni<Void> enter(
      Mutiny.Session session,
      String replicaId,
      MessageParts.Subscription subscription,
      Map<String, SpaceHead> heads) {
    String space = subscription.space();
    long reported = subscription.stable() == null ? 0 : subscription.stable();
    // The row exists but for a space's first session: created only then (one statement, not two).
    return session
        .find(SpaceSeq.class, space, LockMode.PESSIMISTIC_READ)
        .chain(
            found ->
                found != null
                    ? Uni.createFrom().item(found)
                    : BatchLocks.createSpaceRow(session, space)
                        .chain(
                            () -> session.find(SpaceSeq.class, space, LockMode.PESSIMISTIC_READ)))
        .chain(
            row -> {
              if (row == null) {
                // Erased since the hello read the tombstones (V6 keeps the row from being
                // inserted): no head, no live-set entry; the caller answers revoked.
                return Uni.createFrom().voidItem();
              }
              heads.put(space, SpaceHead.of(row));
              return upsert(session, replicaId, space, reported);
            });
  }

  /**
   * Records reports of {@code replicaId} ({@code push.stable}, {@code sync.stable}) for spaces its
   * session follows, in a transaction of their own.
   */
  public Uni<Void> report(String replicaId, List<MessageParts.SpaceStable> points) {
    if (points.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return sessions.withTransaction(session -> record(session, replicaId, points));
  }

  /** Records reports of {@code replicaId} in {@code session}'s transaction (a push's). */
  static Uni<Void> record(
      Mutiny.Session session, String replicaId, List<MessageParts.SpaceStable> points) {
    Uni<Void> work = Uni.createFrom().voidItem();
    List<MessageParts.SpaceStable> sorted = new ArrayList<>(points);
    sorted.sort((a, b) -> a.space().compareTo(b.space()));
    for (MessageParts.SpaceStable point : sorted) {
      work = work.chain(() -> upsert(session, replicaId, point.space(), point.stable()));
    }
    return work;
  }

  private static Uni<Void> upsert(
      Mutiny.Session session, String replicaId, String space, long stable) {
    return session
        .createNativeQuery(UPSERT)
        .setParameter("r", replicaId)
        .setParameter("v", stable)
        .setParameter("s", space)
        .executeUpdate()
        .replaceWithVoid();
  }

  /**
   * Ends the membership of {@code replicaId} in {@code spaces} (its token lost them, or it
   * unsubscribed).
   */
  public Uni<Void> leave(String replicaId, Collection<String> spaces) {
    if (spaces.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return sessions.withTransaction(
        session ->
            session
                .createNativeQuery(
                    "delete from stable_point where replica_id = :r and space in (:spaces)")
                .setParameter("r", replicaId)
                .setParameter("spaces", List.copyOf(spaces))
                .executeUpdate()
                .replaceWithVoid());
  }

  /** Returns the recorded points of {@code space} by replica (for tests and operators). */
  public Uni<Map<String, Long>> of(String space) {
    return sessions.withSession(
        session ->
            session
                .createNativeQuery(
                    "select replica_id, stable from stable_point where space in (:s)",
                    Object[].class)
                .setParameter("s", PlanCacheBypass.key(space))
                .getResultList()
                .map(
                    rows -> {
                      Map<String, Long> points = new TreeMap<>();
                      for (Object[] row : rows) {
                        points.put((String) row[0], ((Number) row[1]).longValue());
                      }
                      return points;
                    }));
  }
}
