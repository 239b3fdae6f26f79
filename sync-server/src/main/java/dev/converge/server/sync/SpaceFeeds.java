package dev.converge.server.sync;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.Payload;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.changeset.LoggedChange;
import dev.converge.server.document.DocState;
import dev.converge.server.document.SnapshotBudget;
import dev.converge.server.document.SnapshotReader;
import dev.converge.server.document.SnapshotSlice;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The feeds of one session: per subscribed space, a pump that reads the log from the session's
 * cursor (or pages through a snapshot when the log cannot serve it) and queues {@code changes} and
 * {@code snapshot} frames on the session's {@link Outbound}.
 *
 * <p>Backpressure: a feed reads only while the queue holds fewer than {@code maxInFlightFrames}
 * frames and less than half of the byte budget, and splits pages to fit that half; a feed that
 * stays blocked for {@code slowClientTimeout} closes the session with 4008, and the client resumes
 * from its cursor when it reconnects.
 *
 * <p>Confined to the session's Vert.x context, like the session: every method but {@link #wake}
 * must run there; {@code wake} hops onto it.
 */
final class SpaceFeeds {

  private static final Logger LOG = Logger.getLogger(SpaceFeeds.class);

  private final SyncSession session;
  private final Context context;
  private final Vertx vertx;
  private final ProtocolCodec codec;
  private final ChangeLogReader log;
  private final SpaceLogCache cache;
  private final PageFrames frames;
  private final SnapshotReader snapshots;
  private final SyncSettings settings;
  private final SyncMetrics metrics;
  private final Outbound outbound;
  private final Map<String, Feed> feeds = new LinkedHashMap<>();
  private final ArrayDeque<Feed> blocked = new ArrayDeque<>();
  private long slowTimer = -1;

  SpaceFeeds(
      SyncSession session,
      Context context,
      Vertx vertx,
      ProtocolCodec codec,
      ChangeLogReader log,
      SpaceLogCache cache,
      PageFrames frames,
      SnapshotReader snapshots,
      SyncSettings settings,
      SyncMetrics metrics,
      Outbound outbound) {
    this.session = session;
    this.context = context;
    this.vertx = vertx;
    this.codec = codec;
    this.log = log;
    this.cache = cache;
    this.frames = frames;
    this.snapshots = snapshots;
    this.settings = settings;
    this.metrics = metrics;
    this.outbound = outbound;
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

  /** A snapshot being streamed page by page; {@code chain} is the log chain at its head. */
  private record Snapshot(long head, String chain, String afterCollection, String afterDocId) {}

  Set<String> spaces() {
    return Set.copyOf(feeds.keySet());
  }

  /** Returns the cursor of {@code space}, or -1 if not followed. */
  long cursor(String space) {
    Feed feed = feeds.get(space);
    return feed == null ? -1 : feed.cursor;
  }

  /**
   * Starts following {@code space} from {@code since}, or from a snapshot when the log cannot serve
   * it.
   */
  void follow(String space, long since, ChangeLogReader.SpaceHead head, boolean restored) {
    Feed feed = new Feed(space, since);
    if (restored || head.followNeedsSnapshot(since)) {
      feed.snapshot = new Snapshot(head.head(), head.chain(), null, null);
    }
    feeds.put(space, feed);
    pump(feed);
  }

  /** Stops following {@code space}. */
  boolean unfollow(String space) {
    Feed feed = feeds.remove(space);
    if (feed != null) {
      blocked.remove(feed);
    }
    return feed != null;
  }

  /** Asks the feed of {@code space} to look for new changes; callable from any thread. */
  void wake(String space) {
    context.runOnContext(
        v -> {
          Feed feed = feeds.get(space);
          if (feed != null) {
            pump(feed);
          }
        });
  }

  /** The socket wrote queued frames: blocked feeds resume once the queue is below its marks. */
  void resume() {
    if (outbound.feedMayResume() && !blocked.isEmpty()) {
      stopSlowTimer();
      while (!blocked.isEmpty()) {
        pump(blocked.poll());
      }
    }
  }

  /** Stops every feed: the session is closed. */
  void stop() {
    stopSlowTimer();
    blocked.clear();
  }

  private void pump(Feed feed) {
    if (session.isClosed()) {
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
    if (session.isClosed() || feeds.get(feed.space) != feed || feed.stalled) {
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
    readApart(
        feed,
        () -> cache.read(feed.space, from, settings.pageSize() + 1),
        items -> onPage(feed, from, items));
  }

  private void onPage(Feed feed, long from, List<LoggedChange> items) {
    if (session.isClosed() || feeds.get(feed.space) != feed) {
      return;
    }
    if (items.isEmpty()) {
      idle(feed);
      return;
    }
    if (items.get(0).serverSeq() != from + 1) {
      // The log was compacted past this cursor while the session followed it: start over from a
      // snapshot.
      readApart(
          feed,
          () -> log.head(feed.space),
          head -> {
            feed.snapshot = new Snapshot(head.head(), head.chain(), null, null);
            step(feed);
          });
      return;
    }
    boolean more = items.size() > settings.pageSize();
    if (more) {
      items = items.subList(0, settings.pageSize());
    }
    // Built once per page on this node; every session at this cursor sends the same text.
    PageFrames.Page page = frames.page(feed.space, from, items, more, outbound.feedShare());
    outbound.feed(page.text());
    metrics.fannedOut(items.subList(0, page.count()));
    feed.cursor = page.to();
    if (page.more()) {
      step(feed);
    } else {
      idle(feed);
    }
  }

  /** The feed reached the log's end; it pumps again at once if it was woken meanwhile. */
  private void idle(Feed feed) {
    feed.pumping = false;
    if (feed.dirty) {
      pump(feed);
    }
  }

  /** The stored states are spliced in as they are: the codec wrote them. */
  private String snapshotFrame(Snapshot snapshot, String space, List<DocState> docs, boolean more) {
    return codec.encode(
        new Message.Snapshot(
            space,
            snapshot.head(),
            docs.stream()
                .map(
                    d ->
                        new MessageParts.SnapshotDoc(
                            d.key.collection, d.key.docId, Payload.text(d.state)))
                .toList(),
            more,
            snapshot.chain()));
  }

  private void stepSnapshot(Feed feed) {
    Snapshot snapshot = feed.snapshot;
    readApart(
        feed,
        () ->
            snapshots.slice(
                feed.space,
                snapshot.afterCollection(),
                snapshot.afterDocId(),
                settings.snapshotPageSize(),
                snapshotBudget(feed.space)),
        slice -> onSnapshotPage(feed, snapshot, slice));
  }

  /**
   * Runs a feed's database read on a context of its own and hands its result back on the session's
   * context. A feed may start while another reactive chain of the session holds a Hibernate
   * Reactive session on the current context (a hello's follow, then its erasure recheck), and
   * {@code withSession} reuses a session it finds there: two reads at once on one session can leave
   * one of them unanswered, and the feed would wait for it forever.
   */
  private <T> void readApart(Feed feed, Supplier<Uni<T>> read, Consumer<T> then) {
    Context own = VertxContext.createNewDuplicatedContext(context);
    VertxContextSafetyToggle.setContextSafe(own, true);
    own.runOnContext(
        ignored ->
            read.get()
                .subscribe()
                .with(
                    item -> context.runOnContext(v -> then.accept(item)),
                    failure -> context.runOnContext(v -> onFailure(feed, failure))));
  }

  /**
   * The page byte budget, leaving room below the frame limit for the frame's header: its fixed
   * fields take under 192 bytes (the epoch included), and a space name at most 6 bytes per
   * character once escaped.
   */
  private long snapshotBudget(String space) {
    long header = 192 + 6L * space.length();
    return Math.max(1, Math.min(settings.snapshotPageBytes(), settings.maxFrameBytes() - header));
  }

  private void onSnapshotPage(Feed feed, Snapshot snapshot, SnapshotSlice slice) {
    if (session.isClosed() || feeds.get(feed.space) != feed) {
      return;
    }
    List<DocState> docs = slice.docs();
    boolean more = slice.more();
    String frame = snapshotFrame(snapshot, feed.space, docs, more);
    if (docs.size() == 1 && SnapshotBudget.utf8Length(frame) > settings.maxFrameBytes()) {
      stall(feed, slice.last());
      return;
    }
    // As for changes: a page too big for the feed's share of the budget goes out in halves.
    while (docs.size() > 1 && Outbound.sizeOf(frame) > outbound.feedShare()) {
      docs = docs.subList(0, docs.size() / 2);
      more = true;
      frame = snapshotFrame(snapshot, feed.space, docs, more);
    }
    outbound.feed(frame);
    if (more) {
      DocState last = docs.get(docs.size() - 1);
      feed.snapshot =
          new Snapshot(snapshot.head(), snapshot.chain(), last.key.collection, last.key.docId);
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
        session.id(), doc.key.collection, doc.key.docId, feed.space, settings.maxFrameBytes());
    session.send(
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
    LOG.warnf(failure, "Session %s could not read space %s; retrying", session.id(), feed.space);
    feed.pumping = false;
    vertx.setTimer(1_000, t -> wake(feed.space));
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
                      if (!session.isClosed() && !blocked.isEmpty() && !outbound.feedHasRoom()) {
                        metrics.error("too_slow");
                        session.close(
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
}
