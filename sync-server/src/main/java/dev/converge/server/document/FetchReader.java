package dev.converge.server.document;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Reads named documents of a space for a document re-read ({@code fetch}): first their sizes, so a
 * fetch beyond its byte budget never loads a state, then their states.
 *
 * <p>Thread-safe; call on a Vert.x context.
 */
@ApplicationScoped
public class FetchReader {

  /** A document of a space, by name. */
  public record Name(String collection, String docId) {}

  private final Mutiny.SessionFactory sessions;

  FetchReader(Mutiny.SessionFactory sessions) {
    this.sessions = sessions;
  }

  /**
   * Runs a read in a session of its own: one sync session may read for several messages at once on
   * its connection's context, and a Hibernate Reactive session must never be used concurrently.
   */
  private <T> Uni<T> read(Function<Mutiny.Session, Uni<T>> work) {
    return sessions.openSession().chain(session -> work.apply(session).eventually(session::close));
  }

  /**
   * Returns the UTF-8 length of the stored state of each named document that exists (absent ones
   * are missing from the map).
   */
  public Uni<Map<Name, Long>> sizes(String space, List<Name> names) {
    if (names.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    Set<Name> wanted = Set.copyOf(names);
    return read(
        session ->
            bind(
                    session.createSelectionQuery(
                        "select d.key.collection, d.key.docId, octet_length(d.state) from DocState d"
                            + where(names),
                        Object[].class),
                    space,
                    names)
                .getResultList()
                .map(
                    rows -> {
                      Map<Name, Long> sizes = new LinkedHashMap<>();
                      for (Object[] r : rows) {
                        Name name = new Name((String) r[0], (String) r[1]);
                        if (wanted.contains(name)) {
                          sizes.put(name, ((Number) r[2]).longValue());
                        }
                      }
                      return sizes;
                    }));
  }

  /** Returns the stored state text of each named document that exists. */
  public Uni<Map<Name, String>> states(String space, List<Name> names) {
    if (names.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    Set<Name> wanted = Set.copyOf(names);
    return read(
        session ->
            bind(
                    session.createSelectionQuery("from DocState d" + where(names), DocState.class),
                    space,
                    names)
                .getResultList()
                .map(
                    rows -> {
                      Map<Name, String> states = new LinkedHashMap<>();
                      for (DocState row : rows) {
                        Name name = new Name(row.key.collection, row.key.docId);
                        if (wanted.contains(name)) {
                          states.put(name, row.state);
                        }
                      }
                      return states;
                    }));
  }

  private static <R> Mutiny.SelectionQuery<R> bind(
      Mutiny.SelectionQuery<R> query, String space, List<Name> names) {
    query.setParameter("space", space);
    for (int i = 0; i < names.size(); i++) {
      query.setParameter("c" + i, names.get(i).collection());
      query.setParameter("d" + i, names.get(i).docId());
    }
    return query;
  }

  /** The condition matching exactly the named documents (the caller bounds their number). */
  private static String where(List<Name> names) {
    StringBuilder where = new StringBuilder(" where d.key.space = :space and (");
    for (int i = 0; i < names.size(); i++) {
      where.append(i == 0 ? "" : " or ").append("(d.key.collection = :c").append(i);
      where.append(" and d.key.docId = :d").append(i).append(')');
    }
    return where.append(')').toString();
  }
}
