package dev.converge.core.server;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.RefusedDots;
import dev.converge.core.trust.ReusedInPush;
import dev.converge.core.trust.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One push being decided by {@link PushRules#decide}: re-pushes answered from what was consumed
 * before, forbidden changesets refused, and every new changeset of each space checked against its
 * stored document and joined, or refused with a context-only entry of its own new dots. Used once,
 * by one thread.
 */
final class Decision {
  private final PushRules rules;
  private final PushPlan plan;
  private final Lineage lineage;
  private final String replicaId;
  private final List<MessageParts.AckResult> results = new ArrayList<>();
  private final List<Refusal> answered = new ArrayList<>();
  private final List<RefusalRecord> newRefusals = new ArrayList<>();
  private final List<PushDecision.SpaceWrite> writes = new ArrayList<>();
  private final TreeSet<String> changedSpaces = new TreeSet<>();
  private final ReusedInPush<DocumentRef> reused = new ReusedInPush<>();
  private int newConflicts;
  private int futureStamps;

  Decision(PushRules rules, PushPlan plan, Lineage lineage) {
    this.rules = rules;
    this.plan = plan;
    this.lineage = lineage;
    this.replicaId = plan.replicaId();
  }

  PushDecision run(
      List<LogEntry> logged, List<RefusalRecord> refused, Map<String, SpaceState> spaces) {
    answerRepeated(logged, refused);
    for (Changeset c : plan.forbidden) {
      refuse(
          c,
          ErrorCode.FORBIDDEN_SPACE,
          "space '" + c.space() + "' is not granted by this token",
          rules.canonical(c));
    }
    for (Map.Entry<String, List<Changeset>> space : plan.bySpace.entrySet()) {
      SpaceState state = spaces.get(space.getKey());
      if (state == null) {
        throw new IllegalArgumentException("space '" + space.getKey() + "' was not read");
      }
      applyToSpace(state, space.getValue());
    }
    results.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    answered.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    PushOutcome outcome =
        new PushOutcome(
            replicaId,
            plan.upToSeq(),
            results,
            answered,
            changedSpaces,
            newConflicts,
            futureStamps);
    return new PushDecision(
        outcome, Math.max(plan.replica.lastSeq(), plan.upToSeq()), newRefusals, writes);
  }

  /**
   * Acks re-pushed changesets with the serverSeq they got, or repeats why they were refused. A
   * re-push is compared over the whole changeset first (DESIGN §7): the same seq with any other
   * space, collection, docId, hlc or delta means the replica id is used by two installs.
   */
  private void answerRepeated(List<LogEntry> logged, List<RefusalRecord> refused) {
    if (plan.repeated.isEmpty()) {
      return;
    }
    Map<Long, Changeset> bySeq = new HashMap<>();
    plan.repeated.forEach(c -> bySeq.put(c.seq(), c));
    Set<Long> refusedSeqs = new HashSet<>();
    for (RefusalRecord r : refused) {
      Changeset c = bySeq.get(r.seq());
      if (c == null || !r.replicaId().equals(replicaId)) {
        continue;
      }
      if (r.contentHash() != null
          && !r.contentHash().equals(ChangesetFingerprint.of(c, rules.canonical(c)))) {
        throw otherContent(r.seq());
      }
      refusedSeqs.add(r.seq());
      answered.add(r.refusal());
    }
    if (logged.size() > plan.repeated.size()) {
      // Each consumed changeset left at most one entry: more than were re-pushed overlap them, so
      // the re-push cuts the consumed seqs into other ranges.
      throw otherContent(plan.repeated.get(0).seq());
    }
    for (LogEntry e : logged) {
      if (!e.replicaId().equals(replicaId) || refusedSeqs.contains(e.seq())) {
        continue; // a context-only entry a refusal left: the refusal was answered above
      }
      Changeset c = bySeq.get(e.seq());
      if (c == null) {
        if (e.toSeq() >= plan.repeated.get(0).seq()
            && e.seq() <= plan.repeated.get(plan.repeated.size() - 1).toSeq()) {
          throw otherContent(e.seq()); // a consumed range re-pushed from another seq
        }
        continue;
      }
      // Equal deltas encode to equal bytes: the canonical text is compared with the logged one.
      if (e.toSeq() != c.toSeq()
          || !e.space().equals(c.space())
          || !e.collection().equals(c.collection())
          || !e.docId().equals(c.docId())
          || !e.hlc().equals(c.hlc().toString())
          || !e.deltaJson().equals(rules.canonical(c))) {
        throw otherContent(e.seq());
      }
      results.add(new MessageParts.AckResult(e.seq(), e.serverSeq()));
    }
  }

  private PushRefused otherContent(long seq) {
    return new PushRefused(
        ErrorCode.SEQ_REGRESSION,
        "seq "
            + seq
            + " of replica '"
            + replicaId
            + "' was already consumed with other content: this replica id is in use by another install"
            + " (restored backup or copied database?); take a new replica id and renumber unsent changes",
        seq);
  }

  /** Consumes a changeset without applying it, keeping why for re-pushes. */
  private void refuse(Changeset c, ErrorCode code, String message, String canonicalDelta) {
    newRefusals.add(
        new RefusalRecord(
            replicaId, c.seq(), code.wire(), message, ChangesetFingerprint.of(c, canonicalDelta)));
    answered.add(new Refusal(c.seq(), code.wire(), message));
  }

  private void applyToSpace(SpaceState state, List<Changeset> batch) {
    String space = state.space();
    DocumentSizes sizes = new DocumentSizes(rules.policy(), state.storedBytes());
    Map<DocumentRef, Document> docs = new LinkedHashMap<>();
    for (DocumentRef ref : plan.documents(space)) {
      String json = state.states().get(ref);
      Document doc = json == null ? new Document() : rules.decodeStored(ref, json);
      newConflicts -= doc.conflicts().size();
      docs.put(ref, doc);
      sizes.loaded(ref, json);
    }
    boolean readOnly = plan.readOnly.contains(space);
    List<LogEntry> entries = new ArrayList<>();
    Map<DocumentRef, Long> touched = new LinkedHashMap<>();
    long head = state.head();
    for (Changeset c : batch) {
      DocumentRef ref = new DocumentRef(space, c.collection(), c.docId());
      Document doc = docs.get(ref);
      if (rules.stampedBeyondHorizon(c)) {
        futureStamps++;
      }
      Document applied = c.delta();
      String appliedJson = rules.canonical(c);
      Optional<Violation> violation =
          readOnly
              ? Optional.of(
                  new Violation(
                      ErrorCode.READ_ONLY,
                      "space '" + space + "' is granted to this token for reading only"))
              : rules.verify(doc, c, lineage);
      // !isPresent, not isEmpty: Java 11, which Android API 26 lacks.
      if (!violation.isPresent()) {
        violation = reused.check(ref, c.delta());
      }
      if (!violation.isPresent()) {
        violation = admitted(c, doc);
      }
      DocumentSizes.Growth growth = null;
      if (!violation.isPresent()) {
        growth = sizes.growth(ref, c.collection(), doc, applied, appliedJson, rules.codec());
        violation = growth.violation();
      }
      if (violation.isPresent()) {
        if (violation.get().code() == ErrorCode.DOT_REUSED) {
          reused.refused(ref, c.seq(), c.delta(), doc);
        }
        refuse(c, violation.get().code(), violation.get().message(), appliedJson);
        // A refusal leaves no hole (DESIGN §7): the refused changeset's own new dots join the
        // context as a logged, fanned-out entry, so the pusher's device drops the refused value.
        applied = RefusedDots.of(doc, c.delta(), lineage);
        if (applied.context().isEmpty()) {
          continue;
        }
        appliedJson = rules.codec().encodeDocument(applied);
        doc.join(applied);
        sizes.grew(ref, Utf8Length.of(appliedJson));
      } else {
        results.add(new MessageParts.AckResult(c.seq(), head + 1));
        if (growth.joined() != null) {
          doc = growth.joined(); // the exact size was measured on this join: keep it
          docs.put(ref, doc);
        } else {
          doc.join(applied); // total: a name written as another type holds both
        }
        sizes.accept(ref, growth);
      }
      head++;
      entries.add(
          new LogEntry(
              space,
              head,
              c.collection(),
              c.docId(),
              replicaId,
              c.seq(),
              c.hlc().toString(),
              appliedJson,
              c.toSeq()));
      touched.put(ref, head);
    }
    docs.forEach(
        (ref, doc) -> {
          newConflicts += doc.conflicts().size();
          String json = state.states().get(ref);
          if (json != null && !touched.containsKey(ref)) {
            rules.keepDecoded(ref, json, doc); // read, not changed
          }
        });
    List<PushDecision.StateWrite> states = new ArrayList<>(touched.size());
    touched.forEach(
        (ref, headSeq) -> {
          Document doc = docs.get(ref);
          String json = rules.codec().encodeDocument(doc);
          rules.keepDecoded(ref, json, doc);
          states.add(new PushDecision.StateWrite(ref, json, headSeq));
        });
    if (head == state.head()) {
      return;
    }
    writes.add(
        new PushDecision.SpaceWrite(space, head, entries, states, sizes.storedAfter(states)));
    changedSpaces.add(space);
  }

  /** The collection's field types, then the deployment's own check. */
  private Optional<Violation> admitted(Changeset c, Document doc) {
    WritePolicy policy = rules.policy();
    Optional<Violation> types = policy.checkTypes(c);
    if (types.isPresent() || policy.hook() == WriteCheck.NONE) {
      return types;
    }
    return policy
        .hook()
        .check(plan.replica.ownerSubject(), c, doc.copy())
        .map(
            why ->
                new Violation(
                    ErrorCode.WRITE_REFUSED,
                    why.length() > 200 ? why.substring(0, 200) + "..." : why));
  }
}
