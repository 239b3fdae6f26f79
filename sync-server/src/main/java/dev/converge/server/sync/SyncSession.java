package dev.converge.server.sync;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.Encoded;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.changeset.LoggedChange;
import dev.converge.server.document.DocState;
import dev.converge.server.document.SnapshotBudget;
import dev.converge.server.document.SnapshotReader;
import dev.converge.server.document.SnapshotSlice;
import dev.converge.server.space.SpaceGrants;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One WebSocket session: its token's grants, and per subscribed space a feed that pumps the log
 * from the session's cursor to the client.
 *
 * <p>Backpressure: everything the session sends goes through its {@link Outbound} queue, bounded in
 * bytes ({@code maxOutboundBytes}). The session reads the log only while the queue holds fewer than
 * {@code maxInFlightFrames} frames and less than half of the budget, so a client that stops reading
 * holds a bounded amount of server memory; if the feed stays blocked for {@code slowClientTimeout},
 * or a reply would pass the budget, the session is closed with code 4008 and resumes from its
 * cursor when it reconnects.
 *
 * <p>A session must say {@code hello} within {@code helloTimeout}, or it is closed with 4400.
 *
 * <p>Confined to its connection's Vert.x context: every method but {@link #wake} must run there;
 * {@code wake} hops onto it.
 */
public final class SyncSession {

  private static final Logger LOG = Logger.getLogger(SyncSession.class);

  /** What an undecodable message costs on top of its size: at 4 MiB/s, 16 of them a second. */
  static final long JUNK_PENALTY_BYTES = 256 * 1024;

  private final WebSocketConnection connection;
  private final Context context;
  private final Vertx vertx;
  private final ProtocolCodec codec;
  private final ChangeLogReader log;
  private final SpaceLogCache cache;
  private final SnapshotReader snapshots;
  private final SyncSettings settings;
  private final SyncMetrics metrics;
  private final Map<String, Feed> feeds = new LinkedHashMap<>();
  private final ArrayDeque<Feed> blocked = new ArrayDeque<>();

  private SpaceGrants grants;
  private long tokenExpiresAt;
  private long expiryTimer = -1;
  private String replicaId;
  private final Outbound outbound;
  private long slowTimer = -1;
  private long helloTimer = -1;
  private InboundThrottle throttle;
  private boolean closed;

  SyncSession(
      WebSocketConnection connection,
      Context context,
      Vertx vertx,
      ProtocolCodec codec,
      ChangeLogReader log,
      SpaceLogCache cache,
      SnapshotReader snapshots,
      SyncSettings settings,
      SyncMetrics metrics) {
    this.cache = cache;
    this.connection = connection;
    this.context = context;
    this.vertx = vertx;
    this.codec = codec;
    this.log = log;
    this.snapshots = snapshots;
    this.settings = settings;
    this.metrics = metrics;
    this.outbound =
        new Outbound(
            connection,
            context,
            settings.maxOutboundBytes(),
            settings.maxInFlightFrames(),
            metrics,
            this::sent);
    this.helloTimer =
        vertx.setTimer(
            settings.helloTimeout().toMillis(),
            id ->
                context.runOnContext(
                    v -> {
                      helloTimer = -1;
                      if (!closed && replicaId == null) {
                        metrics.error("hello_timeout");
                        close(
                            CloseCode.PROTOCOL.code(),
                            "hello not received within "
                                + settings.helloTimeout().toSeconds()
                                + " s");
                      }
                    }));
  }

  /** A subscribed space and the session's position in it. */
  private static final class Feed {
    final String space;
    long cursor;
    boolean pumping;
    boolean dirty;

    /**
     * Set when the space cannot be served on this socket (see {@code stall}); nothing is read any
     * more.
     */
    boolean stalled;

    Snapshot snapshot;

    Feed(String space, long cursor) {
      this.space = space;
      this.cursor = cursor;
    }
  }

  /** A snapshot being streamed page by page. */
  private record Snapshot(long head, String afterCollection, String afterDocId) {}

  String id() {
    return connection.id();
  }

  SpaceGrants grants() {
    return grants;
  }

  String replicaId() {
    return replicaId;
  }

  boolean helloReceived() {
    return replicaId != null;
  }

  Set<String> spaces() {
    return Set.copyOf(feeds.keySet());
  }

  /** Installs (or replaces) the token; schedules the session's end at its expiry. */
  void authenticate(SpaceGrants grants, long expiresAtMillis) {
    this.grants = grants;
    this.tokenExpiresAt = expiresAtMillis;
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
    }
    long delay = Math.max(1, expiresAtMillis - System.currentTimeMillis());
    expiryTimer =
        vertx.setTimer(
            delay,
            id ->
                context.runOnContext(
                    v -> {
                      if (!closed) {
                        send(
                            codec.encode(
                                new Message.Error(
                                    "token_expired",
                                    "the session's token expired; connect again with a fresh token",
                                    null)));
                        close(CloseCode.TOKEN.code(), "token expired");
                      }
                    }));
  }

  long tokenExpiresAt() {
    return tokenExpiresAt;
  }

  void hello(String replicaId) {
    this.replicaId = replicaId;
    cancelHelloTimer();
  }

  private void cancelHelloTimer() {
    if (helloTimer >= 0) {
      vertx.cancelTimer(helloTimer);
      helloTimer = -1;
    }
  }

  /**
   * Starts following {@code space} from {@code since}, or from a snapshot when the log cannot serve
   * it.
   */
  void follow(String space, long since, ChangeLogReader.SpaceHead head) {
    Feed feed = new Feed(space, since);
    if (head.needsSnapshot(since)) {
      feed.snapshot = new Snapshot(head.head(), null, null);
    }
    feeds.put(space, feed);
    pump(feed);
  }

  /** Stops following {@code space}. */
  void unfollow(String space) {
    Feed feed = feeds.remove(space);
    if (feed != null) {
      blocked.remove(feed);
    }
  }

  /** Asks the session to look for new changes in {@code space}; callable from any thread. */
  void wake(String space) {
    context.runOnContext(
        v -> {
          Feed feed = feeds.get(space);
          if (feed != null) {
            pump(feed);
          }
        });
  }

  private void pump(Feed feed) {
    if (closed) {
      return;
    }
    if (feed.pumping) {
      feed.dirty = true;
      return;
    }
    feed.pumping = true;
    feed.dirty = false;
    step(feed);
  }

  private void step(Feed feed) {
    if (closed || feeds.get(feed.space) != feed || feed.stalled) {
      feed.pumping = false;
      return;
    }
    if (!outbound.feedHasRoom()) {
      feed.pumping = false;
      if (!blocked.contains(feed)) {
        blocked.add(feed);
      }
      startSlowTimer();
      return;
    }
    if (feed.snapshot != null) {
      stepSnapshot(feed);
      return;
    }
    long from = feed.cursor;
    // One row more than a page tells whether another page follows.
    cache
        .read(feed.space, from, settings.pageSize() + 1)
        .subscribe()
        .with(
            items -> context.runOnContext(v -> onPage(feed, from, items)),
            failure -> context.runOnContext(v -> onFailure(feed, failure)));
  }

  private void onPage(Feed feed, long from, List<LoggedChange> items) {
    if (closed || feeds.get(feed.space) != feed) {
      return;
    }
    if (items.isEmpty()) {
      feed.pumping = false;
      if (feed.dirty) {
        pump(feed);
      }
      return;
    }
    if (items.get(0).serverSeq() != from + 1) {
      // The log was compacted past this cursor while the session followed it: start over from a
      // snapshot.
      log.head(feed.space)
          .subscribe()
          .with(
              head ->
                  context.runOnContext(
                      v -> {
                        feed.snapshot = new Snapshot(head.head(), null, null);
                        step(feed);
                      }),
              failure -> context.runOnContext(v -> onFailure(feed, failure)));
      return;
    }
    boolean more = items.size() > settings.pageSize();
    if (more) {
      items = items.subList(0, settings.pageSize());
    }
    long to = items.get(items.size() - 1).serverSeq();
    String frame = changesFrame(feed.space, from, to, items, more);
    // A page too big for the feed's share of the budget goes out in halves; the rest is read again.
    while (items.size() > 1 && Outbound.sizeOf(frame) > outbound.feedShare()) {
      items = items.subList(0, items.size() / 2);
      more = true;
      to = items.get(items.size() - 1).serverSeq();
      frame = changesFrame(feed.space, from, to, items, more);
    }
    sendFeed(frame);
    metrics.fannedOut(items);
    feed.cursor = to;
    if (more) {
      step(feed);
    } else {
      feed.pumping = false;
      if (feed.dirty) {
        pump(feed);
      }
    }
  }

  private String changesFrame(
      String space, long from, long to, List<LoggedChange> items, boolean more) {
    return codec.encode(
        new Encoded.Changes(space, from, to, DeltaGroups.group(items, codec), more));
  }

  /** The stored states are spliced in as they are: the codec wrote them. */
  private String snapshotFrame(String space, long head, List<DocState> docs, boolean more) {
    return codec.encode(
        new Encoded.Snapshot(
            space,
            head,
            docs.stream()
                .map(d -> new Encoded.SnapshotDoc(d.key.collection, d.key.docId, d.state))
                .toList(),
            more));
  }

  private void stepSnapshot(Feed feed) {
    Snapshot snapshot = feed.snapshot;
    snapshots
        .slice(
            feed.space,
            snapshot.afterCollection(),
            snapshot.afterDocId(),
            settings.snapshotPageSize(),
            snapshotBudget(feed.space))
        .subscribe()
        .with(
            slice -> context.runOnContext(v -> onSnapshotPage(feed, snapshot, slice)),
            failure -> context.runOnContext(v -> onFailure(feed, failure)));
  }

  /**
   * The page byte budget, leaving room below the frame limit for the frame's header: its fixed
   * fields take under 128 bytes, and a space name at most 6 bytes per character once escaped.
   */
  private long snapshotBudget(String space) {
    long header = 128 + 6L * space.length();
    return Math.max(1, Math.min(settings.snapshotPageBytes(), settings.maxFrameBytes() - header));
  }

  private void onSnapshotPage(Feed feed, Snapshot snapshot, SnapshotSlice slice) {
    if (closed || feeds.get(feed.space) != feed) {
      return;
    }
    List<DocState> docs = slice.docs();
    boolean more = slice.more();
    String frame = snapshotFrame(feed.space, snapshot.head(), docs, more);
    if (docs.size() == 1 && SnapshotBudget.utf8Length(frame) > settings.maxFrameBytes()) {
      stall(feed, slice.last());
      return;
    }
    // As for changes: a page too big for the feed's share of the budget goes out in halves.
    while (docs.size() > 1 && Outbound.sizeOf(frame) > outbound.feedShare()) {
      docs = docs.subList(0, docs.size() / 2);
      more = true;
      frame = snapshotFrame(feed.space, snapshot.head(), docs, more);
    }
    sendFeed(frame);
    if (more) {
      DocState last = docs.get(docs.size() - 1);
      feed.snapshot = new Snapshot(snapshot.head(), last.key.collection, last.key.docId);
    } else {
      // Every change up to head is in the states sent; later ones come from the log (a doc
      // read after head may already hold some of them: joins are idempotent).
      feed.snapshot = null;
      feed.cursor = snapshot.head();
    }
    step(feed);
  }

  /**
   * A document too big for any frame: the session stops serving this space rather than skip it (the
   * client would silently miss it) or resend it forever. The cursor stays where it was.
   */
  private void stall(Feed feed, DocState doc) {
    feed.stalled = true;
    feed.pumping = false;
    metrics.error(ErrorCode.SNAPSHOT_TOO_LARGE);
    LOG.warnf(
        "Session %s cannot send document %s/%s of space %s: bigger than the frame limit of %d bytes",
        id(), doc.key.collection, doc.key.docId, feed.space, settings.maxFrameBytes());
    send(
        codec.encode(
            new Message.Error(
                ErrorCode.SNAPSHOT_TOO_LARGE,
                "document '"
                    + doc.key.collection
                    + "/"
                    + doc.key.docId
                    + "' of space '"
                    + feed.space
                    + "' exceeds the frame limit of "
                    + settings.maxFrameBytes()
                    + " bytes; this session stops serving the space; read it with GET /v1/spaces/{space}/snapshot",
                null)));
  }

  private void onFailure(Feed feed, Throwable failure) {
    LOG.warnf(failure, "Session %s could not read space %s; retrying", id(), feed.space);
    feed.pumping = false;
    vertx.setTimer(1_000, t -> wake(feed.space));
  }

  /**
   * Sends a reply ({@code ack}, {@code error}, ...), counted against the outbound budget until the
   * transport has written it. A reply that would pass the budget closes the session with 4008: the
   * client is not reading what it asks for.
   */
  void send(String frame) {
    if (closed) {
      return;
    }
    if (!outbound.reply(frame)) {
      metrics.error("too_slow");
      close(
          CloseCode.TOO_SLOW.code(),
          "client does not read its replies; reconnect and resume from your cursor");
    }
  }

  private void sendFeed(String frame) {
    if (!closed) {
      outbound.feed(frame);
    }
  }

  private void sent() {
    if (outbound.feedMayResume() && !blocked.isEmpty()) {
      stopSlowTimer();
      while (!blocked.isEmpty()) {
        pump(blocked.poll());
      }
    }
  }

  private void startSlowTimer() {
    if (slowTimer >= 0) {
      return;
    }
    slowTimer =
        vertx.setTimer(
            settings.slowClientTimeout().toMillis(),
            id ->
                context.runOnContext(
                    v -> {
                      slowTimer = -1;
                      if (!closed && !blocked.isEmpty() && !outbound.feedHasRoom()) {
                        metrics.error("too_slow");
                        close(
                            CloseCode.TOO_SLOW.code(),
                            "client reads too slowly; reconnect and resume from your cursor");
                      }
                    }));
  }

  private void stopSlowTimer() {
    if (slowTimer >= 0) {
      vertx.cancelTimer(slowTimer);
      slowTimer = -1;
    }
  }

  /** Attaches the throttle of this session's connection, which junk is charged to. */
  void throttledBy(InboundThrottle throttle) {
    this.throttle = throttle;
  }

  /**
   * Charges a message the session could not decode: it slows the sender, well-formed traffic keeps
   * its rate.
   */
  void junk() {
    if (throttle != null) {
      throttle.penalize(JUNK_PENALTY_BYTES);
    }
  }

  /** Closes the connection with a code and reason. */
  void close(int code, String reason) {
    if (closed) {
      return;
    }
    markClosed();
    metrics.closed(code);
    connection.close(new CloseReason(code, reason)).subscribe().with(ok -> {}, failure -> {});
  }

  /** Releases timers; the connection is gone or going. */
  void markClosed() {
    closed = true;
    stopSlowTimer();
    cancelHelloTimer();
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
      expiryTimer = -1;
    }
    blocked.clear();
  }

  /** Frames handed to the socket and not yet written. */
  int inFlight() {
    return outbound.frames();
  }

  /** Bytes handed to the socket and not yet written. */
  long outboundBytes() {
    return outbound.bytes();
  }

  boolean isClosed() {
    return closed;
  }

  /** Returns the cursor of {@code space}, or -1 if not followed. */
  long cursor(String space) {
    Feed feed = feeds.get(space);
    return feed == null ? -1 : feed.cursor;
  }
}
