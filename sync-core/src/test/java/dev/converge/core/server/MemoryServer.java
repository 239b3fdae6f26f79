package dev.converge.core.server;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.trust.Lineage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's push path with memory for a database: reads what {@link PushRules#plan} asks for,
 * lets {@link PushRules#decide} decide, and writes the decision whole or not at all, as the
 * server's transaction does. What a deterministic simulation runs. Not thread-safe.
 */
final class MemoryServer {

  final ProtocolCodec codec = new ProtocolCodec();
  final AtomicLong clock = new AtomicLong(1_764_065_400_000L);
  final PushRules rules;
  final Map<String, Long> storedBytes = new HashMap<>();

  MemoryServer() {
    this(WritePolicy.none());
  }

  MemoryServer(WritePolicy policy) {
    rules = new PushRules(codec, 500, 1L << 31, Duration.ofHours(24), clock::get, policy);
  }

  final Map<String, Replica> replicas = new HashMap<>();
  final Map<String, String> predecessors = new HashMap<>();
  final Map<String, Long> heads = new HashMap<>();
  final Map<DocumentRef, String> states = new HashMap<>();
  final List<LogEntry> log = new ArrayList<>();
  final List<RefusalRecord> refusals = new ArrayList<>();

  /** Pushes as {@code subject}, granted {@code spaces}. */
  PushOutcome push(String subject, Set<String> spaces, List<Changeset> changesets) {
    Map<String, SpaceRole> roles = new HashMap<>();
    spaces.forEach(s -> roles.put(s, SpaceRole.WRITE));
    return push(subject, roles, changesets);
  }

  /** Pushes as {@code subject}, with a role per granted space. */
  PushOutcome push(String subject, Map<String, SpaceRole> roles, List<Changeset> changesets) {
    rules.checkShape(changesets);
    String replicaId = changesets.get(0).replicaId();
    Replica replica = replicas.getOrDefault(replicaId, new Replica(replicaId, subject, 0));
    PushPlan plan = rules.planWithRoles(subject, replica, changesets, roles::get);
    List<Long> seqs = plan.repeatedSeqs();
    List<LogEntry> logged =
        log.stream()
            .filter(e -> e.replicaId().equals(replicaId) && seqs.contains(e.seq()))
            .toList();
    List<RefusalRecord> refused =
        refusals.stream()
            .filter(r -> r.replicaId().equals(replicaId) && seqs.contains(r.seq()))
            .toList();
    Map<String, SpaceState> read = new HashMap<>();
    for (String space : plan.spaces()) {
      Map<DocumentRef, String> docs = new HashMap<>();
      for (DocumentRef ref : plan.documents(space)) {
        if (states.containsKey(ref)) {
          docs.put(ref, states.get(ref));
        }
      }
      read.put(
          space,
          new SpaceState(
              space, heads.getOrDefault(space, 0L), docs, storedBytes.getOrDefault(space, 0L)));
    }
    PushDecision decision = rules.decide(plan, lineageOf(replicaId), logged, refused, read);
    // Commit: every write of the decision, at once.
    replicas.put(replicaId, new Replica(replicaId, replica.ownerSubject(), decision.lastSeq()));
    refusals.addAll(decision.refusals());
    for (PushDecision.SpaceWrite write : decision.spaces()) {
      heads.put(write.space(), write.head());
      storedBytes.put(write.space(), write.storedBytes());
      log.addAll(write.entries());
      write.states().forEach(s -> states.put(s.ref(), s.stateJson()));
    }
    return decision.outcome();
  }

  Lineage lineageOf(String replicaId) {
    Set<String> chain = new LinkedHashSet<>();
    for (String p = predecessors.get(replicaId); p != null; p = predecessors.get(p)) {
      chain.add(p);
    }
    return new Lineage(replicaId, chain);
  }

  Document document(String space, String collection, String docId) {
    String json = states.get(new DocumentRef(space, collection, docId));
    return json == null ? new Document() : codec.forStoredData().decodeDocument(json);
  }

  List<LogEntry> log(String space) {
    return log.stream().filter(e -> e.space().equals(space)).toList();
  }
}
