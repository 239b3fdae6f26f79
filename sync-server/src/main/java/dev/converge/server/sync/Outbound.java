package dev.converge.server.sync;

import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Context;

/**
 * What one session has handed to its socket and the socket has not yet written, in frames and in
 * bytes (UTF-8, before any compression): replies and feed frames alike. A frame counts from the
 * moment it is queued until Vert.x reports its write done (or failed), so the count is what the
 * session really holds in server memory, the Netty write queue included.
 *
 * <p>The budget is split so that replies always find room: the feed only queues while the session
 * holds less than half of the budget, and replies may fill it up to the whole budget. A reply that
 * would pass it is refused, and the caller closes the session.
 *
 * <p>Confined to its session's Vert.x context, except the completion callbacks, which hop onto it.
 */
final class Outbound {

  private final WebSocketConnection connection;
  private final Context context;
  private final long budget;
  private final int maxFrames;
  private final SyncMetrics metrics;
  private final Runnable drained;
  private long bytes;
  private int frames;

  /**
   * Creates the queue of one session.
   *
   * @param budget the most bytes the session may hold
   * @param maxFrames the most frames the feed may leave queued
   * @param drained called on the session's context each time a write completes
   */
  Outbound(
      WebSocketConnection connection,
      Context context,
      long budget,
      int maxFrames,
      SyncMetrics metrics,
      Runnable drained) {
    this.connection = connection;
    this.context = context;
    this.budget = budget;
    this.maxFrames = maxFrames;
    this.metrics = metrics;
    this.drained = drained;
  }

  /** Returns whether the feed may queue another frame now. */
  boolean feedHasRoom() {
    return frames < maxFrames && bytes < feedShare();
  }

  /** Returns the size a feed frame should stay within: half of the budget. */
  long feedShare() {
    return budget / 2;
  }

  /** Returns whether the feed is below the level at which it resumes after waiting. */
  boolean feedMayResume() {
    return frames < Math.max(1, maxFrames / 2) && bytes < budget / 4;
  }

  /**
   * Queues a reply if it fits the budget.
   *
   * @return false, queuing nothing, if it would take the session past its budget
   */
  boolean reply(String frame) {
    long size = sizeOf(frame);
    if (bytes > 0 && bytes + size > budget) {
      return false;
    }
    queue(frame, size);
    return true;
  }

  /**
   * Queues a feed frame. The feed asks {@link #feedHasRoom} first and keeps its frames within
   * {@link #feedShare}; a single change larger than that is still sent, alone.
   */
  void feed(String frame) {
    queue(frame, sizeOf(frame));
  }

  private void queue(String frame, long size) {
    bytes += size;
    frames++;
    metrics.outboundQueued(size, bytes);
    connection
        .sendText(frame)
        .subscribe()
        .with(
            ok -> context.runOnContext(v -> written(size)),
            failure -> context.runOnContext(v -> written(size)));
  }

  private void written(long size) {
    bytes -= size;
    frames--;
    metrics.outboundWritten(size);
    drained.run();
  }

  /** Frames queued and not yet written. */
  int frames() {
    return frames;
  }

  /** Bytes queued and not yet written. */
  long bytes() {
    return bytes;
  }

  /** Returns the UTF-8 length of {@code text} without encoding it. */
  static long sizeOf(String text) {
    long size = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        // Two bytes up to U+07FF, three for the rest of the BMP; a surrogate pair is four, two per
        // char.
        size += c < 0x800 || Character.isSurrogate(c) ? 1 : 2;
      }
    }
    return size;
  }
}
