package dev.converge.server.document;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.db.PlanCacheBypass;
import dev.converge.server.metrics.AntiEntropyMetrics;
import dev.converge.server.space.SpaceSeq;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Checkpoints and rebuilds documents (docs/architecture.md, "Checkpoints and rebuild"). A
 * document's true state is its checkpoint joined with its log entries after the checkpoint's
 * serverSeq (the whole log when it has none); {@link #verify} compares that with the stored state
 * ({@code doc_state}), rewrites a wrong one, counts it ({@code
 * converge_antientropy_divergent_documents_total{cause="server_state"}}) and moves the checkpoint
 * up to the document's head. The maintenance job runs it off the push path ({@link #checkpointDue}
 * before each log compaction, {@link #scrub} on its own timer).
 *
 * <p>Each document is handled in a transaction of its own under its space's counter-row lock, taken
 * first as every push takes it, then the document's row: a push of the space waits for one
 * document's check, never the other way round.
 *
 * <p>Thread-safe; call on a Vert.x context marked safe for Hibernate Reactive.
 */
@ApplicationScoped
public class CheckpointVerifier implements DocumentVerifier {

  private static final Logger LOG = Logger.getLogger(CheckpointVerifier.class);

  private final Mutiny.SessionFactory sessions;
  private final ProtocolCodec codec;
  private final AntiEntropyMetrics metrics;

  /** Where the scrub resumes: the last document it checked. */
  private volatile DocKey scrubbed;

  CheckpointVerifier(
      Mutiny.SessionFactory sessions, ProtocolCodec codec, AntiEntropyMetrics metrics) {
    this.sessions = sessions;
    // Stored states and log entries were bounded when they were pushed; a document may grow past
    // one message's limits, so the wire's input limit must not make it unreadable here.
    this.codec = codec.forStoredData();
    this.metrics = metrics;
  }

  @Override
  public Uni<Set<DocKey>> verify(String space, Collection<DocKey> docs) {
    Set<DocKey> rebuilt = new LinkedHashSet<>();
    Uni<Void> work = Uni.createFrom().voidItem();
    for (DocKey doc : docs) {
      if (!space.equals(doc.space)) {
        continue;
      }
      work =
          work.chain(() -> check(doc).invoke(wrong -> add(rebuilt, doc, wrong)).replaceWithVoid());
    }
    return work.replaceWith(rebuilt);
  }

  private static void add(Set<DocKey> rebuilt, DocKey doc, boolean wrong) {
    if (wrong) {
      rebuilt.add(doc);
    }
  }

  /**
   * Checks (and checkpoints) up to {@code limit} documents whose checkpoint is behind their head,
   * of {@code space} (every space when null): the log compaction keeps every entry they still need.
   *
   * @return the number of documents checked
   */
  public Uni<Integer> checkpointDue(String space, int limit) {
    String onlySpace = space == null ? "" : " and d.space = :s";
    return sessions
        .withSession(
            session -> {
              var query =
                  session
                      .createNativeQuery(
                          "select d.space || chr(1) || d.collection || chr(1) || d.doc_id from doc_state d"
                              + " left join doc_checkpoint c using (space, collection, doc_id)"
                              + " where d.head_seq > coalesce(c.server_seq, -1)"
                              + onlySpace
                              + " limit :n",
                          String.class)
                      .setParameter("n", limit);
              if (space != null) {
                query.setParameter("s", space);
              }
              return query.getResultList();
            })
        .chain(keys -> checkAll(keys.stream().map(CheckpointVerifier::key).toList()));
  }

  /**
   * Checks the next {@code limit} documents in key order after the last one a scrub checked,
   * starting over after the last document.
   *
   * @return the number of documents whose stored state was wrong and was rebuilt
   */
  public Uni<Integer> scrub(int limit) {
    DocKey after = scrubbed;
    return sessions
        .withSession(
            session ->
                session
                    .createNativeQuery(
                        "select space || chr(1) || collection || chr(1) || doc_id from doc_state"
                            + " where (space, collection, doc_id) > (:s, :c, :d)"
                            + " order by space, collection, doc_id limit :n",
                        String.class)
                    .setParameter("s", after == null ? "" : after.space)
                    .setParameter("c", after == null ? "" : after.collection)
                    .setParameter("d", after == null ? "" : after.docId)
                    .setParameter("n", limit)
                    .getResultList())
        .chain(
            keys -> {
              List<DocKey> docs = keys.stream().map(CheckpointVerifier::key).toList();
              scrubbed = docs.size() < limit ? null : docs.get(docs.size() - 1);
              int[] wrong = {0};
              Uni<Void> work = Uni.createFrom().voidItem();
              for (DocKey doc : docs) {
                work =
                    work.chain(
                        () ->
                            check(doc)
                                .onFailure()
                                .recoverWithItem(e -> unchecked(doc, e))
                                .invoke(w -> wrong[0] += w ? 1 : 0)
                                .replaceWithVoid());
              }
              return work.map(v -> wrong[0]);
            });
  }

  /**
   * One document the scrub could not check is reported and passed over, so that it cannot keep the
   * scrub from every document after it.
   */
  private static boolean unchecked(DocKey doc, Throwable failure) {
    LOG.errorf(failure, "Scrub could not check %s; moving on to the next document", doc);
    return false;
  }

  private Uni<Integer> checkAll(List<DocKey> docs) {
    Uni<Void> work = Uni.createFrom().voidItem();
    for (DocKey doc : docs) {
      work = work.chain(() -> check(doc).replaceWithVoid());
    }
    return work.map(v -> docs.size());
  }

  /** A key joined by U+0001, which no id holds (ids have no control characters). */
  private static DocKey key(String joined) {
    String[] parts = joined.split("\u0001", 3);
    return new DocKey(parts[0], parts[1], parts[2]);
  }

  /** Checks one document; returns whether its stored state was wrong (and was rewritten). */
  Uni<Boolean> check(DocKey doc) {
    return sessions
        .withTransaction(
            session ->
                session
                    .find(SpaceSeq.class, doc.space, LockMode.PESSIMISTIC_WRITE)
                    .chain(
                        counter ->
                            counter == null
                                ? Uni.createFrom().item(false)
                                : session
                                    .find(DocState.class, doc, LockMode.PESSIMISTIC_WRITE)
                                    .chain(
                                        stored ->
                                            stored == null
                                                ? Uni.createFrom().item(false)
                                                : session
                                                    .find(DocCheckpoint.class, doc)
                                                    .chain(
                                                        checkpoint ->
                                                            rebuild(
                                                                session,
                                                                counter,
                                                                stored,
                                                                checkpoint)))))
        .invoke(
            wrong -> {
              if (wrong) {
                metrics.divergent(AntiEntropyMetrics.Cause.SERVER_STATE, 1);
                LOG.warnf(
                    "Stored state of %s was wrong; rebuilt from its checkpoint and the log", doc);
              }
            });
  }

  private Uni<Boolean> rebuild(
      Mutiny.Session session, SpaceSeq counter, DocState stored, DocCheckpoint checkpoint) {
    long from = checkpoint == null ? 0 : checkpoint.serverSeq;
    if (from < counter.retainedAfter) {
      // The log no longer holds what a rebuild needs (it was compacted before checkpoints
      // existed): the stored state is the best there is, and becomes the checkpoint.
      return writeCheckpoint(session, stored.key, stored.headSeq, stored.state, checkpoint)
          .replaceWith(false);
    }
    return session
        .createNativeQuery(
            "select delta from change_log where space in (:s) and collection = :c and doc_id = :d"
                + " and server_seq > :from and server_seq <= :to order by server_seq",
            String.class)
        .setParameter("s", PlanCacheBypass.key(stored.key.space))
        .setParameter("c", stored.key.collection)
        .setParameter("d", stored.key.docId)
        .setParameter("from", from)
        .setParameter("to", stored.headSeq)
        .getResultList()
        .chain(
            deltas -> {
              Document state =
                  checkpoint == null ? new Document() : codec.decodeDocument(checkpoint.state);
              for (String delta : deltas) {
                state.join(codec.decodeDocument(delta));
              }
              String rebuilt = codec.encodeDocument(state);
              boolean wrong = !state.equals(decodeOrNull(stored.state));
              Uni<Void> written = Uni.createFrom().voidItem();
              if (wrong) {
                writeState(stored, rebuilt);
                written = recountStoredBytes(session, counter);
              }
              return written
                  .chain(
                      () ->
                          writeCheckpoint(session, stored.key, stored.headSeq, rebuilt, checkpoint))
                  .replaceWith(wrong);
            });
  }

  private Document decodeOrNull(String state) {
    try {
      return codec.decodeDocument(state);
    } catch (DecodeException e) {
      return null;
    }
  }

  /**
   * The one place a rebuilt state is written to {@code doc_state}; whatever else is kept per stored
   * state (its digest) is refreshed here too.
   */
  static void writeState(DocState stored, String state) {
    stored.state = state;
    stored.updatedAt = java.time.OffsetDateTime.now();
  }

  /**
   * Recounts the space's stored bytes from its states: a wrong state may or may not have been
   * counted as it was stored, so no difference can be trusted.
   */
  private static Uni<Void> recountStoredBytes(Mutiny.Session session, SpaceSeq counter) {
    return session
        .flush()
        .chain(
            () ->
                session
                    .createNativeQuery(
                        "select coalesce(sum(octet_length(state)), 0)::bigint from doc_state where space in (:s)",
                        Long.class)
                    .setParameter("s", PlanCacheBypass.key(counter.space))
                    .getSingleResult())
        .invoke(bytes -> counter.storedBytes = bytes)
        .replaceWithVoid();
  }

  private static Uni<Void> writeCheckpoint(
      Mutiny.Session session, DocKey key, long serverSeq, String state, DocCheckpoint existing) {
    if (existing != null) {
      if (existing.serverSeq == serverSeq && existing.state.equals(state)) {
        return Uni.createFrom().voidItem();
      }
      existing.serverSeq = serverSeq;
      existing.state = state;
      return Uni.createFrom().voidItem();
    }
    DocCheckpoint created = new DocCheckpoint();
    created.key = new DocKey(key.space, key.collection, key.docId);
    created.serverSeq = serverSeq;
    created.state = state;
    return session.persist(created);
  }
}
