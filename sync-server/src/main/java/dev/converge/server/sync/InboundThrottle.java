package dev.converge.server.sync;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how fast one WebSocket connection can make the server work: every data frame costs its
 * payload bytes (at least {@value #MIN_COST}) from a token bucket that refills at {@code
 * bytesPerSecond} and holds at most {@code burst}. When the bucket runs dry the connection stops
 * being read until it has refilled, so TCP pushes back on the sender; a client flooding junk gets a
 * fair share of the event loop, not all of it. Nothing is dropped. A message the session could not
 * even decode costs a {@link #penalize penalty} on top, so a junk sender is slowed to a trickle
 * while well-formed traffic keeps its full rate.
 *
 * <p>One instance per connection, used on its event loop ({@link #penalize} hops onto it).
 */
final class InboundThrottle extends ChannelInboundHandlerAdapter {

  /** The pipeline name of this handler. */
  static final String NAME = "convergeInboundThrottle";

  /** The least a frame costs, so that tiny frames cannot come at an unbounded rate. */
  static final int MIN_COST = 1024;

  private final long bytesPerSecond;
  private final long burst;
  private double tokens;
  private long refilledAt = System.nanoTime();
  private boolean paused;
  private ChannelHandlerContext ctx;

  InboundThrottle(long bytesPerSecond, long burst) {
    this.bytesPerSecond = bytesPerSecond;
    this.burst = burst;
    this.tokens = burst;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof WebSocketFrame frame) {
      charge(Math.max(MIN_COST, frame.content().readableBytes()));
    }
    super.channelRead(ctx, msg);
  }

  /**
   * Charges {@code bytes} more to the connection, as if it had sent them; callable from any thread.
   */
  void penalize(long bytes) {
    if (ctx.executor().inEventLoop()) {
      charge(bytes);
    } else {
      ctx.executor().execute(() -> charge(bytes));
    }
  }

  private void charge(long bytes) {
    if (bytesPerSecond <= 0) {
      return;
    }
    refill();
    tokens -= bytes;
    if (tokens < 0 && !paused) {
      paused = true;
      ctx.channel().config().setAutoRead(false);
      long waitNanos = (long) (-tokens * 1e9 / bytesPerSecond);
      ctx.executor().schedule(() -> resume(ctx), Math.max(1, waitNanos), TimeUnit.NANOSECONDS);
    }
  }

  private void resume(ChannelHandlerContext ctx) {
    paused = false;
    if (ctx.channel().isActive()) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }
  }

  private void refill() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - refilledAt) * bytesPerSecond / 1e9);
    refilledAt = now;
  }
}
