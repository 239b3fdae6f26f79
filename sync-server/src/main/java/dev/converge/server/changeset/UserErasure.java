package dev.converge.server.changeset;

import dev.converge.server.db.PlanCacheBypass;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Erasure of a user (docs/access-control.md, "Erasing a user"): in one transaction, the user's own
 * space ({@code user:<subject>}) is emptied as a space erasure empties a space, and every row keyed
 * by a replica the subject owns leaves {@code replica_progress} (progress and lineage), {@code
 * stable_point} and {@code rejected_changeset}. What the user wrote into spaces shared with others
 * stays there, no longer linked to the subject. A tombstone holding only the subject's SHA-256
 * ({@code erased_subject}) keeps anything of the user from being created again and lets a device of
 * the user that connects later be told to purge; the erasure is announced on {@link #CHANNEL}
 * (payload: that hash), so every node tells the user's connected devices.
 *
 * <p>Thread-safe; call on a Vert.x context marked safe for Hibernate Reactive.
 */
@ApplicationScoped
public class UserErasure {

  /** The PostgreSQL channel a user erasure is announced on; the payload is the subject's hash. */
  public static final String CHANNEL = "converge_user_erasures";

  /** The prefix of a user's own space, always granted to its subject. */
  public static final String OWN_SPACE_PREFIX = "user:";

  private final Mutiny.SessionFactory sessions;

  UserErasure(Mutiny.SessionFactory sessions) {
    this.sessions = sessions;
  }

  /**
   * How many rows an erasure removed.
   *
   * @param replicas the replicas of the user whose rows were removed
   * @param documents documents of the user's own space
   * @param changes change-log entries of the user's own space
   * @param rows rows of every table together
   */
  public record ErasedUser(long replicas, long documents, long changes, long rows) {}

  /** Returns the lower-case hex SHA-256 of the UTF-8 subject (as the database's subject_hash). */
  public static String hash(String subject) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(subject.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Erases the user {@code subject}; erasing an erased (or unknown) user again removes nothing. */
  public Uni<ErasedUser> erase(String subject) {
    String hash = hash(subject);
    return sessions.withTransaction(
        session -> {
          long[] rows = new long[4];
          return session
              // Waits for pushes of the subject that are creating a replica (V9 trigger).
              .createNativeQuery(
                  "select count(*) from (select pg_advisory_xact_lock(hashtext(:k))) l")
              .setParameter("k", "converge.subject:" + subject)
              .executeUpdate()
              .chain(
                  () ->
                      session
                          .createNativeQuery(
                              "insert into erased_subject (subject_hash) values (:h)"
                                  + " on conflict do nothing")
                          .setParameter("h", hash)
                          .executeUpdate())
              .chain(
                  () ->
                      session
                          .createNativeQuery(
                              "select replica_id from replica_progress where owner_subject = :s"
                                  + " order by replica_id for update",
                              String.class)
                          .setParameter("s", subject)
                          .getResultList())
              .chain(replicas -> eraseReplicas(session, subject, replicas, rows))
              .chain(() -> SpaceErasure.eraseRows(session, OWN_SPACE_PREFIX + subject))
              .call(() -> SpaceErasure.notify(session, CHANNEL, hash))
              .map(
                  space ->
                      new ErasedUser(
                          rows[0],
                          space.documents(),
                          space.changes(),
                          space.rows() + rows[1] + rows[2] + rows[3]));
        });
  }

  private static Uni<Void> eraseReplicas(
      Mutiny.Session session, String subject, List<String> replicas, long[] rows) {
    rows[0] = replicas.size();
    if (replicas.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return session
        .createNativeQuery("delete from stable_point where replica_id in (:r)")
        .setParameter("r", replicas)
        .executeUpdate()
        .invoke(n -> rows[1] = n)
        .chain(
            () ->
                session
                    .createNativeQuery("delete from rejected_changeset where replica_id in (:r)")
                    .setParameter("r", replicas)
                    .executeUpdate()
                    .invoke(n -> rows[2] = n))
        .chain(
            () ->
                session
                    .createNativeQuery("delete from replica_progress where owner_subject = :s")
                    .setParameter("s", subject)
                    .executeUpdate()
                    .invoke(n -> rows[3] = n))
        .replaceWithVoid();
  }

  /** Returns whether {@code subject} was erased (one indexed read). */
  public Uni<Boolean> erased(String subject) {
    return sessions.withSession(
        session ->
            session
                .createNativeQuery(
                    "select count(*) from erased_subject where subject_hash in (:h)", Long.class)
                .setParameter("h", PlanCacheBypass.key(hash(subject)))
                .getSingleResult()
                .map(n -> n > 0));
  }
}
