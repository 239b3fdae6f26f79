package dev.converge.server.document;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Pages through the documents of a space in (collection, docId) order, for snapshots and listings.
 *
 * <p>Thread-safe; call on a Vert.x context.
 */
@ApplicationScoped
public class SnapshotReader {

  private final Mutiny.SessionFactory sessions;

  /**
   * Runs a read in a session of its own. {@code withSession} would join a session already bound
   * to the caller's Vert.x context, and one sync session reads several spaces at once on its
   * connection's context: a Hibernate Reactive session must never be used concurrently.
   */
  private <T> Uni<T> read(java.util.function.Function<Mutiny.Session, Uni<T>> work) {
    return sessions.openSession().chain(session -> work.apply(session).eventually(session::close));
  }

  SnapshotReader(Mutiny.SessionFactory sessions) {
    this.sessions = sessions;
  }

  /**
   * Returns up to {@code limit} documents of {@code space} after the given position (both null to
   * start), in (collection, docId) order.
   */
  public Uni<List<DocState>> page(String space, String afterCollection, String afterDocId, int limit) {
    return read(session -> {
      var query = session.createNamedQuery(afterCollection == null ? DocState.FIRST_PAGE : DocState.PAGE_AFTER, DocState.class)
          .setParameter("space", space)
          .setMaxResults(limit);
      if (afterCollection != null) {
        query.setParameter("c", afterCollection).setParameter("d", afterDocId);
      }
      return query.getResultList();
    });
  }

  /** Returns one document's row, or null. */
  public Uni<DocState> find(String space, String collection, String docId) {
    return read(session -> session.find(DocState.class, new DocKey(space, collection, docId)));
  }
}
