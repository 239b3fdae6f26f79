package dev.converge.core.server;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.trust.Lineage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The server's core with memory for a database: a push reads what {@link PushRules#plan} asks for,
 * lets {@link PushRules#decide} decide, and writes the decision whole or not at all, as the
 * server's transaction does; counter compaction runs {@link CompactionRules} over the stored states
 * and the log, as the server's compactor does. The rules are the server's own; what this class adds
 * is only storage. What {@code PushRulesTest} and the deterministic simulation run.
 *
 * <p>The few rules the server keeps in SQL rather than in the core (a predecessor's declaration,
 * the live set of stable points, which cursor needs a snapshot) are restated here, one method each,
 * with the server class they mirror named.
 *
 * <p>Not thread-safe.
 */
public final class MemoryServer {

  final ProtocolCodec codec = new ProtocolCodec();
  final AtomicLong clock = new AtomicLong(1_764_065_400_000L);
  final PushRules rules;
  final CompactionRules compaction;
  final Map<String, Long> storedBytes = new HashMap<>();

  final Map<String, Replica> replicas = new HashMap<>();
  final Map<String, String> predecessors = new HashMap<>();

  /** The replicas some replica declared as predecessor (the server's {@code succeeded}, V11). */
  final java.util.Set<String> succeeded = new java.util.HashSet<>();

  final Map<String, Long> heads = new HashMap<>();
  final Map<DocumentRef, String> states = new HashMap<>();
  final List<LogEntry> log = new ArrayList<>();
  final List<RefusalRecord> refusals = new ArrayList<>();

  /** Stable points: space, then replica id, then its point (the live set of the space). */
  private final Map<String, SortedMap<String, Long>> stable = new TreeMap<>();

  private final Map<String, Long> compactedThrough = new HashMap<>();
  private long compactionOrigins;

  /** Creates a server whose clock is {@link #clock}, moved by hand, with no write rules. */
  public MemoryServer() {
    this(WritePolicy.none());
  }

  /** Creates a server whose clock is {@link #clock}, moved by hand, enforcing {@code policy}. */
  public MemoryServer(WritePolicy policy) {
    // With decoded states kept, as the server keeps them: every test and simulated seed runs the
    // cache's path.
    this.rules =
        new PushRules(
            codec,
            500,
            1L << 31,
            Duration.ofHours(24),
            clock::get,
            policy,
            new DecodedStates(1L << 20));
    this.compaction = new CompactionRules(codec, 1_000);
  }

  /** Creates a server on {@code clockMillis} (a simulation's clock), with no write rules. */
  public MemoryServer(LongSupplier clockMillis) {
    this(clockMillis, new DecodedStates(1L << 20));
  }

  /** Creates a server on {@code clockMillis} keeping decoded states in {@code decoded}. */
  public MemoryServer(LongSupplier clockMillis, DecodedStates decoded) {
    this.rules =
        new PushRules(
            codec, 500, 1L << 31, Duration.ofHours(24), clockMillis, WritePolicy.none(), decoded);
    this.compaction = new CompactionRules(codec, 1_000);
  }

  /** Returns the wire codec of this server. */
  public ProtocolCodec codec() {
    return codec;
  }

  /**
   * Pushes as {@code subject}, granted {@code spaces} with write access: the server's push
   * transaction.
   *
   * @throws PushRefused as {@link PushRules} refuses; nothing is written then
   */
  public PushOutcome push(String subject, Set<String> spaces, List<Changeset> changesets) {
    Map<String, SpaceRole> roles = new HashMap<>();
    spaces.forEach(s -> roles.put(s, SpaceRole.WRITE));
    return push(subject, roles, changesets);
  }

  /** Pushes as {@code subject}, with a role per granted space. */
  public PushOutcome push(
      String subject, Map<String, SpaceRole> roles, List<Changeset> changesets) {
    rules.checkShape(changesets);
    String replicaId = changesets.get(0).replicaId();
    Replica replica = replicas.getOrDefault(replicaId, new Replica(replicaId, subject, 0));
    PushPlan plan = rules.planWithRoles(subject, replica, changesets, roles::get);
    List<Long> seqs = plan.repeatedSeqs();
    List<LogEntry> logged = log.stream().filter(plan::overlapsRepeated).toList();
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

  /**
   * Records that {@code replicaId} succeeds {@code predecessor}, both of {@code subject}; a replica
   * keeps the first predecessor it declared. Mirrors the server's {@code ReplicaLineages.declare}.
   *
   * @throws PushRefused {@code invalid} for the replica itself, {@code replica_forged} for a
   *     replica of another subject
   */
  public void declare(String subject, String replicaId, String predecessor) {
    String owner =
        replicaId.equals(predecessor)
            ? subject
            : replicas.computeIfAbsent(predecessor, p -> new Replica(p, subject, 0)).ownerSubject();
    LineageRules.checkDeclaration(subject, replicaId, predecessor, owner)
        .ifPresent(
            v -> {
              throw new PushRefused(v.code(), v.message(), null);
            });
    Replica self = replicas.computeIfAbsent(replicaId, r -> new Replica(r, subject, 0));
    if (self.ownerSubject().equals(subject)) {
      predecessors.putIfAbsent(replicaId, predecessor);
      succeeded.add(predecessor);
    }
  }

  /**
   * Records the older links of a chain a hello named, each as {@link #declare} does. Mirrors the
   * server's {@code ReplicaLineages.declareChain}.
   */
  public void declareChain(String subject, String predecessor, List<String> lineage) {
    for (LineageRules.Link link : LineageRules.olderLinks(predecessor, lineage)) {
      declare(subject, link.successor(), link.predecessor());
    }
  }

  Lineage lineageOf(String replicaId) {
    List<String> chain = new ArrayList<>();
    for (String p = predecessors.get(replicaId);
        p != null && chain.size() <= LineageRules.MAX_DEPTH && !chain.contains(p);
        p = predecessors.get(p)) {
      chain.add(p);
    }
    return LineageRules.lineage(replicaId, chain).succeeded(succeeded.contains(replicaId));
  }

  /** Returns the head of {@code space}: its greatest serverSeq (0 for none). */
  public long head(String space) {
    return heads.getOrDefault(space, 0L);
  }

  /**
   * Returns whether a session following {@code space} from {@code since} is served a snapshot
   * ({@link CursorRules#followNeedsSnapshot}; this log is never trimmed).
   */
  public boolean followNeedsSnapshot(String space, long since) {
    return CursorRules.followNeedsSnapshot(
        since, 0, head(space), compactedThrough.getOrDefault(space, 0L));
  }

  /** Returns up to {@code limit} log entries of {@code space} above {@code since}, in order. */
  public List<LogEntry> logAfter(String space, long since, int limit) {
    List<LogEntry> out = new ArrayList<>();
    for (LogEntry e : log) {
      if (e.space().equals(space) && e.serverSeq() > since) {
        out.add(e);
        if (out.size() == limit) {
          break;
        }
      }
    }
    return out;
  }

  /** Returns the stored states of {@code space}'s documents, in document order. */
  public SortedMap<DocumentRef, String> states(String space) {
    SortedMap<DocumentRef, String> out =
        new TreeMap<>(
            java.util.Comparator.comparing(DocumentRef::collection)
                .thenComparing(DocumentRef::docId));
    states.forEach(
        (ref, json) -> {
          if (ref.space().equals(space)) {
            out.put(ref, json);
          }
        });
    return out;
  }

  /** Returns the stored state of a document (empty if never written). */
  public Document document(String space, String collection, String docId) {
    String json = states.get(new DocumentRef(space, collection, docId));
    return json == null ? new Document() : codec.forStoredData().decodeDocument(json);
  }

  List<LogEntry> log(String space) {
    return log.stream().filter(e -> e.space().equals(space)).toList();
  }

  // ---- the live set (mirrors the server's StablePoints) ---------------------------------------

  /**
   * A {@code hello} of {@code replicaId} with {@code granted} subscriptions: it enters the live set
   * of each (at its reported point, or 0), leaves every other one, and so does a declared {@code
   * predecessor}.
   */
  public void hello(String replicaId, List<MessageParts.Subscription> granted, String predecessor) {
    Set<String> spaces = new LinkedHashSet<>();
    for (MessageParts.Subscription s : granted) {
      spaces.add(s.space());
      raise(replicaId, s.space(), s.stable() == null ? 0 : s.stable());
    }
    stable.forEach(
        (space, points) -> {
          if (!spaces.contains(space)) {
            points.remove(replicaId);
          }
          if (predecessor != null && !predecessor.equals(replicaId)) {
            points.remove(predecessor);
          }
        });
  }

  /** Records reported stable points ({@code push.stable}, {@code sync.stable}); only raised. */
  public void report(String replicaId, List<MessageParts.SpaceStable> points) {
    points.forEach(p -> raise(replicaId, p.space(), p.stable()));
  }

  /** {@code replicaId} leaves the live set of {@code spaces} (its token lost them). */
  public void leave(String replicaId, List<String> spaces) {
    spaces.forEach(s -> stable.getOrDefault(s, new TreeMap<>()).remove(replicaId));
  }

  private void raise(String replicaId, String space, long point) {
    stable.computeIfAbsent(space, s -> new TreeMap<>()).merge(replicaId, point, Math::max);
  }

  // ---- counter compaction (mirrors the server's CounterCompactor) ----------------------------

  /**
   * Compacts the counters of every document of {@code space} at its compaction point, logging each
   * compaction delta as an ordinary change of origin {@link CompactionRules#ORIGIN}.
   *
   * @return the log entries written (empty when nothing was coalesced)
   */
  public List<LogEntry> compact(String space, long nowMillis) {
    long head = head(space);
    long point =
        CompactionRules.compactionPoint(
            head, 0, stable.getOrDefault(space, new TreeMap<>()).values());
    List<LogEntry> written = new ArrayList<>();
    for (Map.Entry<DocumentRef, String> doc : states(space).entrySet()) {
      DocumentRef ref = doc.getKey();
      List<CompactionRules.LoggedDelta> above = new ArrayList<>();
      for (LogEntry e : log) {
        if (e.space().equals(space)
            && e.serverSeq() > point
            && e.collection().equals(ref.collection())
            && e.docId().equals(ref.docId())) {
          above.add(new CompactionRules.LoggedDelta(e.serverSeq(), e.replicaId(), e.deltaJson()));
        }
      }
      CompactionRules.DocumentCompaction result = compaction.compact(doc.getValue(), point, above);
      if (result.compacted()) {
        head++;
        LogEntry entry =
            new LogEntry(
                space,
                head,
                ref.collection(),
                ref.docId(),
                CompactionRules.ORIGIN,
                ++compactionOrigins,
                new Hlc(nowMillis, 0).toString(),
                result.deltaJson());
        log.add(entry);
        written.add(entry);
        states.put(ref, result.stateJson());
      }
    }
    if (!written.isEmpty()) {
      heads.put(space, head);
      // As the server does: only a pass that wrote moves the point sessions must start above.
      compactedThrough.merge(space, point, Math::max);
    }
    return written;
  }
}
