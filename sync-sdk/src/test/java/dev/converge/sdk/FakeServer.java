package dev.converge.sdk;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.trust.DeltaVerifier;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.RefusedDots;
import dev.converge.core.trust.Violation;
import dev.converge.sdk.internal.net.Transport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * An in-process server speaking the sync protocol over a fake {@link Transport}, for testing the
 * whole client (its engine thread, listener threads, store and transport seam together) without
 * sockets or PostgreSQL. The protocol logic itself is tested by stepping the state machine ({@code
 * internal.sync.SyncMachineTest}), and against the real server by sync-server's e2e tests; this
 * fake only keeps what those client-level scenarios need and takes its trust rules from core:
 * per-space change logs with serverSeq, idempotent pushes, trust-boundary refusals (the core
 * verifier, with a low increment bound of 1,000 so tests can provoke one) with the re-key lineage
 * declared in {@code hello}, seq gap detection, snapshots below a retention horizon, token expiry,
 * revocation, and forced closes. All server work runs on one thread, like a session's event loop.
 */
final class FakeServer implements Transport {

  record Grant(String subject, Set<String> spaces, long expiresAt) {}

  record LogEntry(
      long serverSeq,
      String collection,
      String docId,
      Document delta,
      String replicaId,
      long seq) {}

  private final ProtocolCodec codec = new ProtocolCodec();
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "fake-server");
            t.setDaemon(true);
            return t;
          });
  private final LongSupplier clock;
  private final Map<String, Grant> tokens = new HashMap<>();
  private final Map<String, List<LogEntry>> logs = new HashMap<>();
  private final Map<String, Long> retainedAfter = new HashMap<>();
  private final Map<String, Map<String, Document>> states = new HashMap<>();
  private final Map<String, Long> progress = new HashMap<>();
  private final Map<String, String> replicaOwner = new HashMap<>();
  private final Map<String, String> predecessorOf = new HashMap<>();
  private final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
  final List<String> received = new CopyOnWriteArrayList<>();
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger authMessages = new AtomicInteger();
  private volatile boolean reachable = true;
  int pageSize = 50;

  /**
   * Increments beyond ±1,000 are refused, so that tests can provoke a refusal with an honest
   * client.
   */
  private final DeltaVerifier verifier = new DeltaVerifier(1_000);

  FakeServer(LongSupplier clock) {
    this.clock = clock;
  }

  FakeServer() {
    this(System::currentTimeMillis);
  }

  // ---- test controls ---------------------------------------------------------------------------

  void grant(String token, String subject, Set<String> spaces, long expiresAt) {
    call(() -> tokens.put(token, new Grant(subject, spaces, expiresAt)));
  }

  void setReachable(boolean reachable) {
    this.reachable = reachable;
  }

  /** Closes every open session with {@code code}. */
  void closeAll(int code) {
    call(
        () -> {
          for (FakeSession s : sessions) {
            s.closeByServer(code, "test");
          }
          return null;
        });
  }

  /**
   * Revokes {@code space} from every token of {@code subject}; open sessions get {@code revoked}.
   */
  void revoke(String subject, String space) {
    call(
        () -> {
          tokens.replaceAll(
              (t, g) -> {
                if (!g.subject().equals(subject)) {
                  return g;
                }
                Set<String> left = new java.util.HashSet<>(g.spaces());
                left.remove(space);
                return new Grant(g.subject(), Set.copyOf(left), g.expiresAt());
              });
          for (FakeSession s : sessions) {
            if (s.grant != null
                && s.grant.subject().equals(subject)
                && s.cursors.remove(space) != null) {
              s.deliver(new Message.Revoked(space));
            }
          }
          return null;
        });
  }

  /**
   * Forgets the log of {@code space} up to its head: later subscribers from before get a snapshot.
   */
  void compact(String space) {
    call(() -> retainedAfter.put(space, head(space)));
  }

  /** Appends a change as if pushed by another replica (for injecting foreign content). */
  void inject(
      String space, String collection, String docId, Document delta, String replicaId, long seq) {
    call(
        () -> {
          commit(space, collection, docId, delta, replicaId, seq);
          fanOut(space);
          return null;
        });
  }

  Map<String, Object> state(String space, String collection, String docId) {
    return call(
        () -> {
          Document d = states.getOrDefault(space, Map.of()).get(collection + "/" + docId);
          return d == null ? Map.of() : Map.of("json", d.toJson());
        });
  }

  Document document(String space, String collection, String docId) {
    return call(
        () -> {
          Document d = states.getOrDefault(space, Map.of()).get(collection + "/" + docId);
          return d == null ? new Document() : d.copy();
        });
  }

  long head(String space) {
    List<LogEntry> log = logs.get(space);
    long last = log == null || log.isEmpty() ? 0 : log.get(log.size() - 1).serverSeq();
    return Math.max(last, retainedAfter.getOrDefault(space, 0L));
  }

  long progressOf(String replicaId) {
    return call(() -> progress.getOrDefault(replicaId, 0L));
  }

  int openSessions() {
    return call(() -> (int) sessions.stream().filter(s -> s.open).count());
  }

  void shutdownServer() {
    thread.shutdownNow();
  }

  private <T> T call(Callable<T> work) {
    try {
      return thread.submit(work).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- transport
  // ---------------------------------------------------------------------------------

  @Override
  public Session open(URI uri, String token, Listener listener) {
    FakeSession session = new FakeSession(listener);
    thread.execute(
        () -> {
          if (!reachable) {
            listener.onFailure(new ConnectException("connection refused (fake)"), 0);
            return;
          }
          Grant grant = tokens.get(token);
          if (grant == null || grant.expiresAt() <= clock.getAsLong()) {
            listener.onFailure(new IOException("expected HTTP 101 but was 401"), 401);
            return;
          }
          opened.incrementAndGet();
          session.grant = grant;
          session.open = true;
          sessions.add(session);
          listener.onOpen();
        });
    return session;
  }

  final class FakeSession implements Session {
    final Listener listener;
    volatile boolean open;
    Grant grant;
    String replicaId;
    final Map<String, Long> cursors = new LinkedHashMap<>();

    FakeSession(Listener listener) {
      this.listener = listener;
    }

    @Override
    public boolean send(String text) {
      if (!open) {
        return false;
      }
      thread.execute(
          () -> {
            if (open) {
              received.add(text);
              handle(this, text);
            }
          });
      return true;
    }

    @Override
    public void close(int code, String reason) {
      thread.execute(
          () -> {
            if (open) {
              open = false;
              sessions.remove(this);
              listener.onClosed(code, reason);
            }
          });
    }

    void closeByServer(int code, String reason) {
      if (open) {
        open = false;
        sessions.remove(this);
        listener.onClosed(code, reason);
      }
    }

    void deliver(Message message) {
      if (open) {
        listener.onText(codec.encode(message));
      }
    }
  }

  // ---- protocol
  // ----------------------------------------------------------------------------------

  private void handle(FakeSession s, String text) {
    Message message = codec.decode(text);
    if (s.grant.expiresAt() <= clock.getAsLong()) {
      s.deliver(new Message.Error(ErrorCode.TOKEN_EXPIRED, "token expired", null));
      s.closeByServer(CloseCode.TOKEN.code(), "token expired");
      return;
    }
    if (message instanceof Message.Hello hello) {
      String owner = replicaOwner.putIfAbsent(hello.replicaId(), s.grant.subject());
      if (owner != null && !owner.equals(s.grant.subject())) {
        s.deliver(
            new Message.Error(
                ErrorCode.REPLICA_FORGED, "replica belongs to another subject", null));
        s.closeByServer(CloseCode.PROTOCOL.code(), "forged");
        return;
      }
      s.replicaId = hello.replicaId();
      String predecessor = hello.predecessor();
      if (predecessor != null) {
        // As the real server: an unknown predecessor is claimed for the subject, another user's is
        // refused before the welcome, and a replica keeps the first predecessor it declared.
        String predecessorOwner = replicaOwner.putIfAbsent(predecessor, s.grant.subject());
        if (predecessorOwner == null || predecessorOwner.equals(s.grant.subject())) {
          predecessorOf.putIfAbsent(hello.replicaId(), predecessor);
        } else {
          s.deliver(
              new Message.Error(
                  ErrorCode.REPLICA_FORGED, "predecessor belongs to another user", null));
        }
      }
      List<MessageParts.SpaceHead> heads = new ArrayList<>();
      for (MessageParts.Subscription sub : hello.subscriptions()) {
        if (s.grant.spaces().contains(sub.space())) {
          heads.add(new MessageParts.SpaceHead(sub.space(), head(sub.space())));
        }
      }
      s.deliver(new Message.Welcome("fake-1", 1, s.grant.expiresAt(), heads));
      for (MessageParts.Subscription sub : hello.subscriptions()) {
        if (!s.grant.spaces().contains(sub.space())) {
          s.deliver(new Message.Error(ErrorCode.FORBIDDEN_SPACE, "subscription refused", null));
          continue;
        }
        catchUp(s, sub.space(), sub.since());
      }
    } else if (message instanceof Message.Push push) {
      handlePush(s, push);
    } else if (message instanceof Message.Sync sync) {
      List<MessageParts.SpaceHead> heads = new ArrayList<>();
      for (String space : s.cursors.keySet()) {
        heads.add(new MessageParts.SpaceHead(space, head(space)));
      }
      s.deliver(new Message.Synced(sync.ref(), heads));
    } else if (message instanceof Message.Auth auth) {
      authMessages.incrementAndGet();
      Grant grant = tokens.get(auth.token());
      if (grant == null || grant.expiresAt() <= clock.getAsLong()) {
        s.deliver(new Message.Error(ErrorCode.TOKEN_INVALID, "bad token", null));
        s.closeByServer(CloseCode.TOKEN.code(), "token invalid");
        return;
      }
      s.grant = grant;
      s.deliver(new Message.Authed(grant.expiresAt()));
    }
  }

  private void catchUp(FakeSession s, String space, long since) {
    long retained = retainedAfter.getOrDefault(space, 0L);
    long head = head(space);
    if (since < retained || since > head) {
      List<MessageParts.SnapshotDoc> page = new ArrayList<>();
      List<Map.Entry<String, Document>> docs =
          new ArrayList<>(new TreeMap<>(states.getOrDefault(space, Map.of())).entrySet());
      for (int i = 0; i < docs.size(); i++) {
        String[] parts = docs.get(i).getKey().split("/", 2);
        page.add(new MessageParts.SnapshotDoc(parts[0], parts[1], docs.get(i).getValue().copy()));
        if (page.size() == pageSize && i < docs.size() - 1) {
          s.deliver(new Message.Snapshot(space, head, page, true));
          page = new ArrayList<>();
        }
      }
      s.deliver(new Message.Snapshot(space, head, page, false));
      s.cursors.put(space, head);
      return;
    }
    s.cursors.put(space, since);
    sendChanges(s, space);
  }

  private void sendChanges(FakeSession s, String space) {
    long cursor = s.cursors.getOrDefault(space, -1L);
    if (cursor < 0) {
      return;
    }
    List<LogEntry> log = logs.getOrDefault(space, List.of());
    List<MessageParts.ChangeItem> page = new ArrayList<>();
    long from = cursor;
    for (LogEntry e : log) {
      if (e.serverSeq() <= cursor) {
        continue;
      }
      page.add(
          new MessageParts.ChangeItem(
              e.serverSeq(),
              e.collection(),
              e.docId(),
              e.delta(),
              new MessageParts.Origin(e.replicaId(), e.seq())));
      if (page.size() == pageSize) {
        long to = e.serverSeq();
        s.deliver(new Message.Changes(space, from, to, page, to < head(space)));
        from = to;
        page = new ArrayList<>();
      }
    }
    if (!page.isEmpty()) {
      long to = page.get(page.size() - 1).serverSeq();
      s.deliver(new Message.Changes(space, from, to, page, false));
      from = to;
    }
    s.cursors.put(space, from);
  }

  private void handlePush(FakeSession s, Message.Push push) {
    String replica = s.replicaId;
    List<MessageParts.AckResult> results = new ArrayList<>();
    Set<String> touched = new java.util.HashSet<>();
    for (Changeset cs : push.changesets()) {
      if (!cs.replicaId().equals(replica)) {
        s.deliver(
            new Message.Error(ErrorCode.REPLICA_FORGED, "changeset of another replica", cs.seq()));
        return;
      }
      long last = progress.getOrDefault(replica, 0L);
      if (cs.seq() <= last) {
        continue; // idempotent re-push: acked again below
      }
      if (cs.seq() > last + 1) {
        s.deliver(new Message.Error(ErrorCode.SEQ_GAP, "expected seq " + (last + 1), cs.seq()));
        break;
      }
      if (!s.grant.spaces().contains(cs.space())) {
        s.deliver(new Message.Error(ErrorCode.FORBIDDEN_SPACE, "space not granted", cs.seq()));
        progress.put(replica, cs.toSeq()); // a range moves it over all its seqs
        continue;
      }
      Document state =
          states
              .computeIfAbsent(cs.space(), k -> new HashMap<>())
              .computeIfAbsent(cs.collection() + "/" + cs.docId(), k -> new Document());
      // The real server's trust rules, from core: a refusal is consumed and leaves its own dots.
      Lineage lineage = lineageOf(replica);
      Optional<Violation> violation = verifier.verify(state, cs.delta(), lineage);
      if (violation.isPresent()) {
        s.deliver(new Message.Error(violation.get().code(), violation.get().message(), cs.seq()));
        Document leftover = RefusedDots.of(state, cs.delta(), lineage);
        if (!leftover.context().isEmpty()) {
          commit(cs.space(), cs.collection(), cs.docId(), leftover, replica, cs.seq());
          touched.add(cs.space());
        }
        progress.put(replica, cs.toSeq()); // a range moves it over all its seqs
        continue;
      }
      long serverSeq =
          commit(cs.space(), cs.collection(), cs.docId(), cs.delta(), replica, cs.seq());
      progress.put(replica, cs.toSeq()); // a range moves it over all its seqs
      results.add(new MessageParts.AckResult(cs.seq(), serverSeq));
      touched.add(cs.space());
    }
    s.deliver(new Message.Ack(replica, progress.getOrDefault(replica, 0L), results));
    for (String space : touched) {
      fanOut(space);
    }
  }

  /**
   * The pusher and the predecessor chain recorded at each {@code hello}, as the real server builds
   * it.
   */
  private Lineage lineageOf(String pusher) {
    Set<String> predecessors = new java.util.HashSet<>();
    for (String id = predecessorOf.get(pusher);
        id != null && !id.equals(pusher) && predecessors.add(id);
        id = predecessorOf.get(id)) {
      // follows the chain
    }
    return new Lineage(pusher, predecessors);
  }

  private long commit(
      String space, String collection, String docId, Document delta, String replica, long seq) {
    Document state =
        states
            .computeIfAbsent(space, k -> new HashMap<>())
            .computeIfAbsent(collection + "/" + docId, k -> new Document());
    state.join(delta);
    long serverSeq = head(space) + 1;
    logs.computeIfAbsent(space, k -> new ArrayList<>())
        .add(new LogEntry(serverSeq, collection, docId, delta.copy(), replica, seq));
    return serverSeq;
  }

  private void fanOut(String space) {
    for (FakeSession other : sessions) {
      if (other.open && other.cursors.containsKey(space)) {
        sendChanges(other, space);
      }
    }
  }
}
