package dev.converge.server.changeset;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Erasure of a space (docs/access-control.md section 4): every row of the space leaves every table
 * that holds space data, in one transaction, and a tombstone ({@code erased_space}) remains so that
 * a device that subscribes to the space later is told {@code revoked} and purges its copy. The
 * erasure is announced on {@link #CHANNEL}, so every node tells its connected sessions of the
 * space.
 *
 * <p>Thread-safe; call on a Vert.x context marked safe for Hibernate Reactive.
 */
@ApplicationScoped
public class SpaceErasure {

  /** The PostgreSQL channel an erasure is announced on; the payload is the space. */
  public static final String CHANNEL = "converge_erasures";

  /**
   * The tables that hold a space's data, each with a {@code space} column, in the order they are
   * emptied (the counter row last: it is locked first, so pushes and compactions of the space wait
   * for the erasure and find nothing afterwards). A test compares this list with every table of the
   * schema that has a {@code space} column.
   */
  public static final List<String> TABLES =
      List.of("stable_point", "change_log", "doc_checkpoint", "doc_state", "space_seq");

  private final Mutiny.SessionFactory sessions;

  SpaceErasure(Mutiny.SessionFactory sessions) {
    this.sessions = sessions;
  }

  /**
   * How many rows an erasure removed.
   *
   * @param space the erased space
   * @param documents rows of {@code doc_state}
   * @param changes rows of {@code change_log}
   * @param rows rows of every table together
   */
  public record Erased(String space, long documents, long changes, long rows) {}

  /**
   * Erases {@code space}: deletes its rows from {@link #TABLES}, records its tombstone and
   * announces the erasure, all in one transaction. Erasing an erased (or never used) space again
   * changes nothing and removes no rows.
   */
  public Uni<Erased> erase(String space) {
    return sessions.withTransaction(
        session ->
            eraseRows(session, space)
                .call(
                    () ->
                        session
                            .createNativeQuery(
                                "insert into erased_space (name) values (:s) on conflict do nothing")
                            .setParameter("s", space)
                            .executeUpdate())
                // Delivered at commit, and only if it commits.
                .call(() -> notify(session, CHANNEL, space)));
  }

  /**
   * Deletes the rows of {@code space} from {@link #TABLES} in {@code session}'s transaction, the
   * counter row locked first; records no tombstone and announces nothing.
   */
  static Uni<Erased> eraseRows(Mutiny.Session session, String space) {
    long[] counts = new long[TABLES.size()];
    Uni<Void> work =
        session
            .createNativeQuery(
                "select count(*) from (select 1 from space_seq where space = :s for update) l")
            .setParameter("s", space)
            .executeUpdate()
            .replaceWithVoid();
    for (int i = 0; i < TABLES.size(); i++) {
      int index = i;
      // The table names are the constants above, never input.
      String delete = "delete from " + TABLES.get(i) + " where space = :s";
      work =
          work.chain(
              () ->
                  session
                      .createNativeQuery(delete)
                      .setParameter("s", space)
                      .executeUpdate()
                      .invoke(n -> counts[index] = n)
                      .replaceWithVoid());
    }
    return work.map(
        ignored -> {
          long total = 0;
          for (long n : counts) {
            total += n;
          }
          return new Erased(
              space,
              counts[TABLES.indexOf("doc_state")],
              counts[TABLES.indexOf("change_log")],
              total);
        });
  }

  /** Sends {@code payload} on {@code channel} at commit, and only if the transaction commits. */
  static Uni<Void> notify(Mutiny.Session session, String channel, String payload) {
    return session
        .createNativeQuery("select count(*) from (select pg_notify(:channel, :p)) n")
        .setParameter("channel", channel)
        .setParameter("p", payload)
        .executeUpdate()
        .replaceWithVoid();
  }

  /** Returns those of {@code spaces} that were erased (one query; none asked, none read). */
  public Uni<Set<String>> erased(Collection<String> spaces) {
    if (spaces.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    return sessions.withSession(
        session ->
            session
                .createNativeQuery(
                    "select name from erased_space where name in (:spaces)", String.class)
                .setParameter("spaces", List.copyOf(spaces))
                .getResultList()
                .map(TreeSet::new));
  }
}
