package dev.converge.e2e;

import dev.converge.core.digest.DigestLeaf;
import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.DocDigest;
import dev.converge.core.digest.SpaceDigest;
import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.Payload;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.server.DocumentRef;
import dev.converge.core.server.LogEntry;
import dev.converge.core.server.MemoryServer;
import dev.converge.core.server.PushOutcome;
import dev.converge.core.server.PushRefused;
import dev.converge.core.server.Refusal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The simulated server: the server's core ({@link MemoryServer}: {@code PushRules} and {@code
 * CompactionRules} over memory) behind a session shell that does what {@code SyncProtocol} and
 * {@code SpaceFeeds} do with it: hello (grants, a declared predecessor, the live set, welcome, then
 * each granted space followed from its cursor, by snapshot when the cursor is above the head or
 * below the compaction point), push (refusals and ack), sync (stable points, heads), fetch (the
 * document re-read) and auth; and after each commit, the new log entries fanned out to every
 * session following the space, in log order. A crash ends every session; what was committed stays
 * (the core commits a push whole).
 *
 * <p>A token is the subject's name, or {@code subject@expiresAt} ({@link #token}) with an expiry in
 * the server's time: as the real server, a session is told {@code token_expired} and closed with
 * 4001 when its token expires unless an {@code auth} replaced it first, and a connect with an
 * expired token is refused the same way. {@link #grants} says what each subject is granted.
 */
final class SimServer implements SimNet.ServerEnd {

  static final int PAGE = 40;

  /** One WebSocket session. */
  private static final class Session {
    final String subject;
    long expiresAt;
    String replicaId;
    final Map<String, Long> followed = new LinkedHashMap<>();

    Session(String subject, long expiresAt) {
      this.subject = subject;
      this.expiresAt = expiresAt;
    }
  }

  final MemoryServer core;
  final ProtocolCodec codec;
  final Map<String, Set<String>> grants;
  private final SimLoop loop;
  private final Random random;
  private final SimFigures figures;
  private final Map<SimNet.Link, Session> sessions = new LinkedHashMap<>();
  private SimNet net;

  /** The chance that a committed push's connection is reset before its ack is sent. */
  double lostAckRate;

  /**
   * The known bugs planted in this run ({@link SimPlants}); none unless {@link #plant} is called.
   */
  private SimPlants plants;

  SimServer(SimLoop loop, Random random, Map<String, Set<String>> grants, SimFigures figures) {
    this.loop = loop;
    this.random = random;
    this.grants = grants;
    this.figures = figures;
    this.core = new MemoryServer(loop::now);
    this.codec = core.codec();
    this.plants = new SimPlants("", figures);
  }

  void attach(SimNet net) {
    this.net = net;
  }

  /** Returns the token of {@code subject} that expires at {@code expiresAt} (server time). */
  static String token(String subject, long expiresAt) {
    return subject + "@" + expiresAt;
  }

  private static String subjectOf(String token) {
    int at = token.lastIndexOf('@');
    return at < 0 ? token : token.substring(0, at);
  }

  private long expiryOf(String token) {
    int at = token.lastIndexOf('@');
    return at < 0 ? loop.now() + 3_600_000 : Long.parseLong(token.substring(at + 1));
  }

  @Override
  public void accepted(SimNet.Link link) {
    // The token comes with the upgrade; a device that names none connects as its subject.
    String token = link.token != null ? link.token : ((SimActor) link.device).subject();
    Session session = new Session(subjectOf(token), expiryOf(token));
    sessions.put(link, session);
    if (session.expiresAt <= loop.now()) {
      // The real server answers the upgrade 401; the machine takes 4001 the same way.
      figures.count("token.refused-expired");
      expire(link);
      return;
    }
    scheduleExpiry(link, session);
  }

  private void scheduleExpiry(SimNet.Link link, Session session) {
    long expiresAt = session.expiresAt;
    loop.at(
        expiresAt,
        () -> {
          if (sessions.get(link) == session && session.expiresAt == expiresAt) {
            figures.count("token.expired-session");
            expire(link);
          }
        });
  }

  private void expire(SimNet.Link link) {
    error(link, ErrorCode.TOKEN_EXPIRED, "the session's token expired", null);
    net.closeByServer(link, 4001);
  }

  /** A fresh token on an open session: same subject, later expiry. */
  private void auth(SimNet.Link link, Session session, Message.Auth auth) {
    String subject = subjectOf(auth.token());
    long expiresAt = expiryOf(auth.token());
    if (!subject.equals(session.subject)) {
      error(link, ErrorCode.TOKEN_INVALID, "a token of another subject", null);
      net.closeByServer(link, 4001);
      return;
    }
    if (expiresAt <= loop.now()) {
      figures.count("token.refused-expired");
      expire(link);
      return;
    }
    figures.count("token.refreshed");
    session.expiresAt = expiresAt;
    scheduleExpiry(link, session);
    send(link, new Message.Authed(expiresAt));
  }

  @Override
  public void closed(SimNet.Link link) {
    sessions.remove(link);
  }

  /** The process dies: every session ends (the network resets the links). */
  void crash() {
    sessions.clear();
  }

  @Override
  public void received(SimNet.Link link, String text) {
    Session session = sessions.get(link);
    if (session == null) {
      return;
    }
    figures.count("frames.up");
    Message message;
    try {
      message = codec.decode(text);
    } catch (DecodeException e) {
      error(link, e.code(), e.getMessage(), null);
      return;
    }
    try {
      if (message instanceof Message.Hello hello) {
        hello(link, session, hello);
      } else if (session.replicaId == null) {
        error(link, ErrorCode.HELLO_REQUIRED, "send hello before " + message.type(), null);
      } else if (message instanceof Message.Push push) {
        push(link, session, push);
      } else if (message instanceof Message.Sync sync) {
        sync(link, session, sync);
      } else if (message instanceof Message.Fetch fetch) {
        fetch(link, session, fetch);
      } else if (message instanceof Message.Auth auth) {
        auth(link, session, auth);
      } else if (message instanceof Message.Digest digest) {
        digest(link, session, digest);
      } else {
        error(link, ErrorCode.INVALID, "sent by the server, not to it", null);
      }
    } catch (PushRefused e) {
      error(link, e.code(), e.getMessage(), e.ref());
    }
  }

  private void hello(SimNet.Link link, Session session, Message.Hello hello) {
    if (session.replicaId != null) {
      error(link, ErrorCode.INVALID, "hello was already received", null);
      return;
    }
    if (hello.protocol() != Message.PROTOCOL_VERSION) {
      error(link, ErrorCode.PROTOCOL_VERSION, "unsupported protocol", null);
      net.closeByServer(link);
      return;
    }
    session.replicaId = hello.replicaId();
    Set<String> granted = grants.getOrDefault(session.subject, Set.of());
    List<MessageParts.Subscription> subscriptions = new ArrayList<>();
    for (MessageParts.Subscription s : hello.subscriptions()) {
      if (granted.contains(s.space())) {
        if (subscriptions.stream().noneMatch(x -> x.space().equals(s.space()))) {
          subscriptions.add(s);
        }
      } else {
        error(link, ErrorCode.FORBIDDEN_SPACE, "space '" + s.space() + "' is not granted", null);
      }
    }
    String predecessor = null;
    if (hello.predecessor() != null && !plants.ignorePredecessor()) {
      try {
        core.declare(session.subject, hello.replicaId(), hello.predecessor());
        predecessor = hello.predecessor();
        core.declareChain(session.subject, hello.predecessor(), hello.lineage());
      } catch (PushRefused e) {
        error(link, e.code(), e.getMessage(), null);
      }
    }
    core.hello(hello.replicaId(), subscriptions, predecessor);
    List<MessageParts.SpaceHead> heads = new ArrayList<>();
    subscriptions.forEach(
        s -> heads.add(new MessageParts.SpaceHead(s.space(), core.head(s.space()))));
    send(link, new Message.Welcome("sim", Message.PROTOCOL_VERSION, session.expiresAt, heads));
    for (MessageParts.Subscription s : subscriptions) {
      if (core.followNeedsSnapshot(s.space(), s.since())) {
        snapshot(link, s.space());
        session.followed.put(s.space(), core.head(s.space()));
      } else {
        session.followed.put(s.space(), s.since());
      }
      pump(link, session, s.space());
    }
  }

  private void snapshot(SimNet.Link link, String space) {
    figures.count("snapshots");
    long head = core.head(space);
    List<MessageParts.SnapshotDoc> docs = new ArrayList<>();
    core.states(space).forEach((ref, json) -> docs.add(snapshotDoc(ref, json)));
    int pages = Math.max(1, (docs.size() + 1) / 2);
    for (int p = 0; p < pages; p++) {
      List<MessageParts.SnapshotDoc> page = docs.subList(p * 2, Math.min(docs.size(), p * 2 + 2));
      send(link, new Message.Snapshot(space, head, page, p < pages - 1));
    }
  }

  /** The document re-read, as {@code DocumentFetch} answers it (its bounds aside). */
  private void fetch(SimNet.Link link, Session session, Message.Fetch fetch) {
    if (!grants.getOrDefault(session.subject, Set.of()).contains(fetch.space())) {
      error(link, ErrorCode.FORBIDDEN_SPACE, "space not granted", null);
      return;
    }
    figures.count("fetches");
    long head = core.head(fetch.space());
    var states = core.states(fetch.space());
    String empty = codec.encodeDocument(new dev.converge.core.crdt.Document());
    List<MessageParts.SnapshotDoc> docs = new ArrayList<>();
    for (MessageParts.DocName name : fetch.docs()) {
      String json =
          states.getOrDefault(
              new DocumentRef(fetch.space(), name.collection(), name.docId()), empty);
      docs.add(new MessageParts.SnapshotDoc(name.collection(), name.docId(), Payload.text(json)));
    }
    send(link, new Message.Docs(fetch.ref(), fetch.space(), head, docs));
  }

  /**
   * Answers a digest round as {@code DigestExchange} does: an inner node's children hashed over the
   * stored states, a leaf's differing documents by the core's {@link DigestLeaf} (the server's
   * verification of its own states aside: the core's states are what it commits).
   */
  private void digest(SimNet.Link link, Session session, Message.Digest digest) {
    if (!grants.getOrDefault(session.subject, Set.of()).contains(digest.space())) {
      error(link, ErrorCode.FORBIDDEN_SPACE, "space not granted", null);
      return;
    }
    figures.count("digests.answered");
    boolean leaf = DigestTree.isLeaf(digest.path());
    SpaceDigest tree = new SpaceDigest();
    Map<MessageParts.DocName, DocDigest> stored = new LinkedHashMap<>();
    core.states(digest.space())
        .forEach(
            (ref, json) -> {
              DocDigest doc = DocDigest.ofEncoded(json);
              if (!leaf) {
                tree.add(ref.collection(), ref.docId(), doc);
              } else if (DigestTree.leafOf(ref.collection(), ref.docId())
                      == DigestTree.index(digest.path())
                  && stored.size() <= DigestTree.MAX_LEAF_DOCS) {
                stored.put(new MessageParts.DocName(ref.collection(), ref.docId()), doc);
              }
            });
    if (!leaf) {
      send(
          link,
          new Message.Digests(
              digest.ref(),
              digest.space(),
              digest.path(),
              SpaceDigest.wire(tree.children(digest.path())),
              List.of(),
              false));
      return;
    }
    List<MessageParts.DocName> differing =
        plants.has("digest-blind") ? List.of() : DigestLeaf.differing(digest, stored);
    if (!differing.isEmpty()) {
      figures.count("digests.differing");
    }
    send(link, DigestLeaf.answer(digest, stored, differing));
  }

  private static MessageParts.SnapshotDoc snapshotDoc(DocumentRef ref, String json) {
    return new MessageParts.SnapshotDoc(ref.collection(), ref.docId(), Payload.text(json));
  }

  private void push(SimNet.Link link, Session session, Message.Push push) {
    for (var c : push.changesets()) {
      if (!c.replicaId().equals(session.replicaId)) {
        error(link, ErrorCode.INVALID, "changeset of another replica", c.seq());
        return;
      }
    }
    figures.count("pushes");
    for (var c : push.changesets()) {
      if (c.toSeq() > c.seq()) {
        // A range: the SDK's coalescer joined never-sent rows into one changeset.
        figures.count("pushes.ranges");
      }
    }
    if (plants.swallowPush(link, push, this::send)) {
      return;
    }
    PushOutcome outcome =
        core.push(
            session.subject, grants.getOrDefault(session.subject, Set.of()), push.changesets());
    core.report(
        session.replicaId,
        push.stable().stream().filter(p -> session.followed.containsKey(p.space())).toList());
    if (random.nextDouble() < lostAckRate) {
      // Committed, and the connection reset before the ack went out.
      figures.count("fault.lost-ack");
      net.cut(link);
    } else {
      for (Refusal r : outcome.refusals()) {
        figures.count("refusals." + r.code());
        error(link, ErrorCode.fromWire(r.code()).orElse(ErrorCode.INVALID), r.message(), r.seq());
      }
      send(link, outcome.ack());
    }
    fanOut(outcome.changedSpaces());
  }

  /** Plants the known bugs named in {@code plant} ({@link SimPlants}). */
  void plant(String plant) {
    this.plants = new SimPlants(plant, figures);
  }

  private void sync(SimNet.Link link, Session session, Message.Sync sync) {
    core.report(
        session.replicaId,
        sync.stable().stream().filter(p -> session.followed.containsKey(p.space())).toList());
    List<MessageParts.SpaceHead> heads = new ArrayList<>();
    new TreeSet<>(session.followed.keySet())
        .forEach(s -> heads.add(new MessageParts.SpaceHead(s, core.head(s))));
    send(link, new Message.Synced(sync.ref(), heads));
  }

  /** Counter compaction of every space, as the server's compactor runs it; then the fan-out. */
  void compact() {
    Set<String> changed = new TreeSet<>();
    for (String space : allSpaces()) {
      if (!core.compact(space, loop.now()).isEmpty()) {
        figures.count("compactions");
        changed.add(space);
      }
    }
    fanOut(changed);
  }

  private Set<String> allSpaces() {
    Set<String> spaces = new TreeSet<>();
    grants.values().forEach(spaces::addAll);
    return spaces;
  }

  private void fanOut(Set<String> spaces) {
    for (Map.Entry<SimNet.Link, Session> e : new ArrayList<>(sessions.entrySet())) {
      for (String space : spaces) {
        if (e.getValue().followed.containsKey(space)) {
          pump(e.getKey(), e.getValue(), space);
        }
      }
    }
  }

  /** Sends what the session has not been sent of {@code space}'s log, page by page. */
  private void pump(SimNet.Link link, Session session, String space) {
    long from = session.followed.get(space);
    while (true) {
      List<LogEntry> page = core.logAfter(space, from, PAGE + 1);
      if (page.isEmpty()) {
        return;
      }
      boolean more = page.size() > PAGE;
      if (more) {
        page = page.subList(0, PAGE);
      }
      List<MessageParts.ChangeItem> items = new ArrayList<>();
      for (LogEntry e : page) {
        if (plants.skip(link, e)) {
          continue;
        }
        items.add(
            new MessageParts.ChangeItem(
                e.serverSeq(),
                e.collection(),
                e.docId(),
                Payload.text(e.deltaJson()),
                new MessageParts.Origin(e.replicaId(), e.seq())));
      }
      long to = page.get(page.size() - 1).serverSeq();
      send(link, new Message.Changes(space, from, to, items, more));
      from = to;
      session.followed.put(space, to);
    }
  }

  private void error(SimNet.Link link, ErrorCode code, String message, Long ref) {
    figures.count("errors." + code.wire());
    send(link, new Message.Error(code, message, ref));
  }

  private void send(SimNet.Link link, Message message) {
    net.down(link, codec.encode(message));
  }
}
