package dev.converge.server.changeset;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.RefusedDots;
import dev.converge.core.trust.Violation;
import dev.converge.server.document.DocKey;
import dev.converge.server.document.DocState;
import dev.converge.server.space.SpaceGrants;
import dev.converge.server.space.SpaceSeq;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Applies pushed changesets, each push in one transaction (DESIGN §4): join every delta into its
 * document, append it to its space's log with the next serverSeq, and record the replica's
 * progress. The caller acks only after the returned {@link Uni} completes, that is after commit.
 *
 * <p>Re-pushed changesets are acked again and change nothing. Seqs must continue the replica's
 * sequence without a gap. A delta that breaks the trust boundary ({@link ChangesetTrust}) or
 * targets a space the token does not grant is consumed without being applied and reported as a
 * {@link PushOutcome.Rejection}. Every other refusal fails the whole push with a {@link SyncError}
 * and changes nothing.
 *
 * <p>Thread-safe; call on a Vert.x context.
 */
@ApplicationScoped
public class PushService {

  /** Channel on which commits wake every server node; the payload is the space. */
  public static final String CHANNEL = "converge_changes";

  private final Mutiny.SessionFactory sessions;
  private final ProtocolCodec codec;
  private final ChangesetTrust trust;
  private final ReplicaLineages lineages;
  private final int maxChangesets;

  PushService(
      Mutiny.SessionFactory sessions,
      ProtocolCodec codec,
      ChangesetTrust trust,
      ReplicaLineages lineages,
      @ConfigProperty(name = "converge.push.max-changesets", defaultValue = "500")
          int maxChangesets) {
    this.sessions = sessions;
    this.codec = codec;
    this.trust = trust;
    this.lineages = lineages;
    this.maxChangesets = maxChangesets;
  }

  /**
   * Applies a push on behalf of the token's subject.
   *
   * @return the outcome, once committed; fails with {@link SyncError} when refused as a whole
   */
  public Uni<PushOutcome> push(SpaceGrants grants, List<Changeset> changesets) {
    try {
      validate(grants, changesets);
    } catch (SyncError e) {
      return Uni.createFrom().failure(e);
    }
    String replicaId = changesets.get(0).replicaId();
    return sessions.withTransaction(
        (session, tx) -> new Apply(session, grants, replicaId, changesets).run());
  }

  private void validate(SpaceGrants grants, List<Changeset> changesets) {
    if (changesets.isEmpty()) {
      throw new SyncError(ErrorCode.INVALID, "push holds no changeset");
    }
    if (changesets.size() > maxChangesets) {
      throw new SyncError(
          ErrorCode.TOO_LARGE,
          "push holds " + changesets.size() + " changesets; the limit is " + maxChangesets);
    }
    String replicaId = changesets.get(0).replicaId();
    long previous = 0;
    for (Changeset c : changesets) {
      if (!c.replicaId().equals(replicaId)) {
        throw new SyncError(
            ErrorCode.INVALID,
            "a push carries the changesets of one replica; found '"
                + replicaId
                + "' and '"
                + c.replicaId()
                + "'",
            c.seq());
      }
      if (c.seq() <= previous) {
        throw new SyncError(
            ErrorCode.SEQ_REGRESSION,
            "seqs of a push must strictly increase; " + c.seq() + " follows " + previous,
            c.seq());
      }
      previous = c.seq();
    }
  }

  /** One push's transaction. */
  private final class Apply {
    private final Mutiny.Session session;
    private final SpaceGrants grants;
    private final String subject;
    private final String replicaId;
    private final List<Changeset> changesets;
    private final List<Message.AckResult> results = new ArrayList<>();
    private final List<PushOutcome.Rejection> rejections = new ArrayList<>();
    private final TreeSet<String> changedSpaces = new TreeSet<>();
    private Lineage lineage;
    private int newConflicts;

    Apply(
        Mutiny.Session session, SpaceGrants grants, String replicaId, List<Changeset> changesets) {
      this.session = session;
      this.grants = grants;
      this.subject = grants.subject();
      this.replicaId = replicaId;
      this.changesets = changesets;
    }

    Uni<PushOutcome> run() {
      return session
          .createNativeQuery(
              "insert into replica_progress(replica_id, owner_subject, last_seq) values (:r, :s, 0) on conflict do nothing")
          .setParameter("r", replicaId)
          .setParameter("s", subject)
          .executeUpdate()
          .chain(() -> session.find(ReplicaProgress.class, replicaId, LockMode.PESSIMISTIC_WRITE))
          .chain(
              progress -> {
                if (!progress.ownerSubject.equals(subject)) {
                  throw new SyncError(
                      ErrorCode.REPLICA_FORGED,
                      "replica id '"
                          + replicaId
                          + "' belongs to another user; generate a new replica id",
                      null);
                }
                return lineages
                    .lineageOf(session, progress)
                    .chain(
                        found -> {
                          lineage = found;
                          return applyAfter(progress);
                        });
              });
    }

    private Uni<PushOutcome> applyAfter(ReplicaProgress progress) {
      long last = progress.lastSeq;
      List<Changeset> repeated = new ArrayList<>();
      List<Changeset> fresh = new ArrayList<>();
      for (Changeset c : changesets) {
        (c.seq() <= last ? repeated : fresh).add(c);
      }
      long expected = last + 1;
      for (Changeset c : fresh) {
        if (c.seq() != expected) {
          throw new SyncError(
              ErrorCode.SEQ_GAP,
              "seq "
                  + c.seq()
                  + " of replica '"
                  + replicaId
                  + "' skips "
                  + expected
                  + (expected == c.seq() - 1 ? "" : ".." + (c.seq() - 1))
                  + "; push from "
                  + expected,
              c.seq());
        }
        expected++;
      }
      long upToSeq = changesets.get(changesets.size() - 1).seq();
      Uni<Void> work = answerRepeated(repeated);
      Map<String, List<Changeset>> bySpace = new TreeMap<>();
      List<Changeset> forbidden = new ArrayList<>();
      for (Changeset c : fresh) {
        if (grants.allows(c.space())) {
          bySpace.computeIfAbsent(c.space(), s -> new ArrayList<>()).add(c);
        } else {
          // Consumed and reported, so one change for a space the user lost never stalls the
          // replica's queue; the message is the same whether the space exists or not.
          forbidden.add(c);
        }
      }
      for (Changeset c : forbidden) {
        work =
            work.chain(
                () ->
                    reject(
                        c,
                        ErrorCode.FORBIDDEN_SPACE,
                        "space '" + c.space() + "' is not granted by this token"));
      }
      // Spaces are locked in sorted order so that concurrent pushes cannot deadlock.
      for (Map.Entry<String, List<Changeset>> space : bySpace.entrySet()) {
        work = work.chain(() -> applyToSpace(space.getKey(), space.getValue()));
      }
      return work.map(
          ignored -> {
            progress.lastSeq = Math.max(progress.lastSeq, upToSeq);
            results.sort((a, b) -> Long.compare(a.seq(), b.seq()));
            rejections.sort((a, b) -> Long.compare(a.seq(), b.seq()));
            return new PushOutcome(
                replicaId,
                upToSeq,
                List.copyOf(results),
                List.copyOf(rejections),
                changedSpaces,
                newConflicts);
          });
    }

    /** Consumes a changeset without applying it, remembering why for re-pushes. */
    private Uni<Void> reject(Changeset c, ErrorCode code, String message) {
      return session.persist(rejection(c, code, message));
    }

    /**
     * Reports a changeset as consumed without being applied; returns the row that remembers why.
     */
    private RejectedChangeset rejection(Changeset c, ErrorCode code, String message) {
      RejectedChangeset rejected = new RejectedChangeset();
      rejected.replicaId = replicaId;
      rejected.seq = c.seq();
      rejected.code = code.wire();
      rejected.message = message;
      rejected.contentHash = ChangesetFingerprint.of(c, codec.encodeDocument(c.delta()));
      rejections.add(new PushOutcome.Rejection(c.seq(), code.wire(), message));
      return rejected;
    }

    /**
     * Acks re-pushed changesets with the serverSeq they got, or repeats why they were refused. A
     * re-push is compared over the whole changeset first (DESIGN §7): the same seq with any other
     * space, collection, docId, hlc or delta means the replica id is used by two installs.
     */
    private Uni<Void> answerRepeated(List<Changeset> repeated) {
      if (repeated.isEmpty()) {
        return Uni.createFrom().voidItem();
      }
      List<Long> seqs = repeated.stream().map(Changeset::seq).toList();
      Map<Long, Changeset> bySeq = new java.util.HashMap<>();
      repeated.forEach(c -> bySeq.put(c.seq(), c));
      Set<Long> refused = new java.util.HashSet<>();
      return session
          .createSelectionQuery(
              "from RejectedChangeset r where r.replicaId = :r and r.seq in :seqs",
              RejectedChangeset.class)
          .setParameter("r", replicaId)
          .setParameter("seqs", seqs)
          .getResultList()
          .invoke(
              rejected ->
                  rejected.forEach(
                      r -> {
                        Changeset c = bySeq.get(r.seq);
                        if (r.contentHash != null
                            && !r.contentHash.equals(
                                ChangesetFingerprint.of(c, codec.encodeDocument(c.delta())))) {
                          throw otherContent(r.seq);
                        }
                        refused.add(r.seq);
                        rejections.add(new PushOutcome.Rejection(r.seq, r.code, r.message));
                      }))
          .chain(
              () ->
                  session
                      .createSelectionQuery(
                          "from ChangeLogEntry e where e.replicaId = :r and e.seq in :seqs",
                          ChangeLogEntry.class)
                      .setParameter("r", replicaId)
                      .setParameter("seqs", seqs)
                      .getResultList())
          .invoke(
              entries -> {
                for (ChangeLogEntry e : entries) {
                  if (refused.contains(e.seq)) {
                    continue; // the context-only entry a refusal left; the refusal was answered
                    // above
                  }
                  Changeset c = bySeq.get(e.seq);
                  // Equal deltas encode to equal bytes.
                  if (!e.key.space.equals(c.space())
                      || !e.collection.equals(c.collection())
                      || !e.docId.equals(c.docId())
                      || !e.hlc.equals(c.hlc().toString())
                      || !e.delta.equals(codec.encodeDocument(c.delta()))) {
                    throw otherContent(e.seq);
                  }
                  results.add(new Message.AckResult(e.seq, e.key.serverSeq));
                }
              })
          .replaceWithVoid();
    }

    private SyncError otherContent(long seq) {
      return new SyncError(
          ErrorCode.SEQ_REGRESSION,
          "seq "
              + seq
              + " of replica '"
              + replicaId
              + "' was already consumed with other content: this replica id is in use by another install"
              + " (restored backup or copied database?); take a new replica id and renumber unsent changes",
          seq);
    }

    private Uni<Void> applyToSpace(String space, List<Changeset> batch) {
      Map<DocKey, List<Changeset>> byDoc = new LinkedHashMap<>();
      for (Changeset c : batch) {
        byDoc
            .computeIfAbsent(new DocKey(space, c.collection(), c.docId()), k -> new ArrayList<>())
            .add(c);
      }
      return session
          .createNativeQuery(
              "insert into space_seq(space, head, retained_after) values (:s, 0, 0) on conflict do nothing")
          .setParameter("s", space)
          .executeUpdate()
          .chain(() -> session.find(SpaceSeq.class, space, LockMode.PESSIMISTIC_WRITE))
          .chain(
              seqRow ->
                  session
                      .find(DocState.class, byDoc.keySet().toArray())
                      .chain(found -> apply(space, seqRow, batch, byDoc.keySet(), found)));
    }

    private Uni<Void> apply(
        String space,
        SpaceSeq seqRow,
        List<Changeset> batch,
        Iterable<DocKey> keys,
        List<DocState> found) {
      Map<DocKey, Document> docs = new LinkedHashMap<>();
      int i = 0;
      for (DocKey key : keys) {
        DocState row = found.get(i++);
        Document doc =
            row == null ? new Document() : codec.forStoredData().decodeDocument(row.state);
        newConflicts -= doc.conflicts().size();
        docs.put(key, doc);
      }
      OffsetDateTime now = OffsetDateTime.now();
      List<Object> rejectedRows = new ArrayList<>();
      List<ChangeLogEntry> logRows = new ArrayList<>();
      Map<DocKey, Long> touched = new LinkedHashMap<>();
      long head = seqRow.head;
      for (Changeset c : batch) {
        DocKey key = new DocKey(space, c.collection(), c.docId());
        Document doc = docs.get(key);
        Optional<Violation> violation = trust.check(doc, c, lineage);
        Document applied = c.delta();
        if (violation.isPresent()) {
          rejectedRows.add(rejection(c, violation.get().code(), violation.get().message()));
          // A refusal leaves no hole (DESIGN §7): the refused changeset's own new dots join the
          // context as a logged, fanned-out entry, so the pusher's device drops the refused value.
          applied = RefusedDots.of(doc, c.delta(), lineage);
          if (applied.context().isEmpty()) {
            continue;
          }
        } else {
          results.add(new Message.AckResult(c.seq(), head + 1));
        }
        doc.join(applied); // total: a name written as another type holds both
        head++;
        ChangeLogEntry entry = new ChangeLogEntry();
        entry.key = new ChangeLogKey(space, head);
        entry.collection = c.collection();
        entry.docId = c.docId();
        entry.replicaId = replicaId;
        entry.seq = c.seq();
        entry.hlc = c.hlc().toString();
        entry.delta = codec.encodeDocument(applied);
        entry.committedAt = now;
        logRows.add(entry);
        touched.put(key, head);
      }
      docs.values().forEach(doc -> newConflicts += doc.conflicts().size());
      List<DocState> states = new ArrayList<>(touched.size());
      for (Map.Entry<DocKey, Long> doc : touched.entrySet()) {
        // Fresh objects, not the loaded (managed) rows: those would be flushed again as updates.
        DocState state = new DocState();
        state.key = doc.getKey();
        state.state = codec.encodeDocument(docs.get(doc.getKey()));
        state.headSeq = doc.getValue();
        state.updatedAt = now;
        states.add(state);
      }
      Uni<Void> rejectedWrite =
          rejectedRows.isEmpty()
              ? Uni.createFrom().voidItem()
              : session.persistAll(rejectedRows.toArray());
      if (head == seqRow.head) {
        return rejectedWrite;
      }
      seqRow.head = head;
      changedSpaces.add(space);
      return rejectedWrite
          .chain(() -> ChangeWriter.insertLog(session, logRows))
          .chain(() -> ChangeWriter.upsertDocs(session, states))
          // Delivered at commit, and only if it commits: other nodes wake after the data is
          // visible.
          .chain(
              () ->
                  session
                      .createNativeQuery(
                          "select count(*) from (select pg_notify(:channel, :space)) n")
                      .setParameter("channel", CHANNEL)
                      .setParameter("space", space)
                      .getSingleResult())
          .replaceWithVoid();
    }
  }
}
