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
   * Runs a read in a session of its own. {@code withSession} would join a session already bound to
   * the caller's Vert.x context, and one sync session reads several spaces at once on its
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
  public Uni<List<DocState>> page(
      String space, String afterCollection, String afterDocId, int limit) {
    return read(
        session -> {
          var query =
              session
                  .createNamedQuery(
                      afterCollection == null ? DocState.FIRST_PAGE : DocState.PAGE_AFTER,
                      DocState.class)
                  .setParameter("space", space)
                  .setMaxResults(limit);
          if (afterCollection != null) {
            query.setParameter("c", afterCollection).setParameter("d", afterDocId);
          }
          return query.getResultList();
        });
  }

  /**
   * Returns the next page of a snapshot of {@code space} after the given position (both null to
   * start): at most {@code maxDocs} documents whose entries fit {@code maxBytes} by the rule of
   * {@link SnapshotBudget}, a document bigger than the budget alone. Sizes are read first, so a
   * page never loads more states than it sends.
   */
  public Uni<SnapshotSlice> slice(
      String space, String afterCollection, String afterDocId, int maxDocs, long maxBytes) {
    return read(session ->
            sizes(session, space, afterCollection, afterDocId, maxDocs + 1)
                .chain(
                    sizes -> {
                      if (sizes.isEmpty()) {
                        return Uni.createFrom().item(new SnapshotSlice(List.of(), false));
                      }
                      List<Long> planned =
                          sizes.stream().limit(maxDocs).map(DocSize::entryBytes).toList();
                      int count = SnapshotBudget.fit(planned, maxBytes);
                      DocSize last = sizes.get(count - 1);
                      return range(session, space, afterCollection, afterDocId, last, count)
                          .map(
                              rows ->
                                  rows.isEmpty()
                                      ? null
                                      : trim(rows, sizes.size() > count, last, maxBytes));
                    }))
        .chain(
            slice ->
                slice != null
                    ? Uni.createFrom().item(slice)
                    // The planned documents vanished between the two reads: plan again from the
                    // same position.
                    : slice(space, afterCollection, afterDocId, maxDocs, maxBytes));
  }

  /** A document's key and the size of its entry in a page. */
  private record DocSize(String collection, String docId, long entryBytes) {}

  private static Uni<List<DocSize>> sizes(
      Mutiny.Session session, String space, String afterCollection, String afterDocId, int limit) {
    var query =
        session
            .createSelectionQuery(
                "select d.key.collection, d.key.docId, octet_length(d.state) from DocState d where d.key.space = :space"
                    + after(afterCollection)
                    + " order by d.key.collection, d.key.docId",
                Object[].class)
            .setParameter("space", space)
            .setMaxResults(limit);
    if (afterCollection != null) {
      query.setParameter("c", afterCollection).setParameter("d", afterDocId);
    }
    return query
        .getResultList()
        .map(
            rows ->
                rows.stream()
                    .map(
                        r ->
                            new DocSize(
                                (String) r[0],
                                (String) r[1],
                                SnapshotBudget.entryBytes(
                                    (String) r[0], (String) r[1], ((Number) r[2]).longValue())))
                    .toList());
  }

  private static Uni<List<DocState>> range(
      Mutiny.Session session,
      String space,
      String afterCollection,
      String afterDocId,
      DocSize last,
      int limit) {
    var query =
        session
            .createSelectionQuery(
                "from DocState d where d.key.space = :space"
                    + after(afterCollection)
                    + " and (d.key.collection < :lc or (d.key.collection = :lc and d.key.docId <= :ld))"
                    + " order by d.key.collection, d.key.docId",
                DocState.class)
            .setParameter("space", space)
            .setParameter("lc", last.collection())
            .setParameter("ld", last.docId())
            .setMaxResults(limit);
    if (afterCollection != null) {
      query.setParameter("c", afterCollection).setParameter("d", afterDocId);
    }
    return query.getResultList();
  }

  /**
   * Keeps the loaded rows within the budget: a document may have grown, or one may have been
   * created inside the range, between reading sizes and loading states.
   */
  private static SnapshotSlice trim(
      List<DocState> rows, boolean moreAfterPlan, DocSize plannedLast, long maxBytes) {
    List<Long> sizes =
        rows.stream()
            .map(
                r ->
                    SnapshotBudget.entryBytes(
                        r.key.collection, r.key.docId, SnapshotBudget.utf8Length(r.state)))
            .toList();
    int keep = SnapshotBudget.fit(sizes, maxBytes);
    List<DocState> kept = rows.subList(0, keep);
    boolean endsAtPlan =
        !kept.isEmpty()
            && kept.get(keep - 1).key.collection.equals(plannedLast.collection())
            && kept.get(keep - 1).key.docId.equals(plannedLast.docId());
    return new SnapshotSlice(kept, moreAfterPlan || !endsAtPlan);
  }

  private static String after(String afterCollection) {
    return afterCollection == null
        ? ""
        : " and (d.key.collection > :c or (d.key.collection = :c and d.key.docId > :d))";
  }

  /** Returns one document's row, or null. */
  public Uni<DocState> find(String space, String collection, String docId) {
    return read(session -> session.find(DocState.class, new DocKey(space, collection, docId)));
  }
}
