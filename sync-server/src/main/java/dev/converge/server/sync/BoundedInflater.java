package dev.converge.server.sync;

import dev.converge.core.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates permessage-deflate messages (RFC 7692) of one WebSocket connection with a bound on the
 * inflated size, enforced while inflating: a message that inflates past {@code maxMessageBytes}
 * stops being inflated at that point and the connection is closed with 1009. Netty's own decoder
 * (as Vert.x installs it) inflates a whole frame before anything can look at its size, so a 64 KB
 * frame could cost 64 MB; this handler sits in front of it and hands it plain frames, which it
 * passes through untouched.
 *
 * <p>It also turns a frame the WebSocket decoder refuses (too big, or a protocol violation) into a
 * close frame with the decoder's status, where Vert.x would otherwise stop reading the socket
 * without a word.
 *
 * <p>One instance per connection, used on its event loop only.
 */
final class BoundedInflater extends ChannelDuplexHandler {

  /** The pipeline name of this handler. */
  static final String NAME = "convergeBoundedInflater";

  private static final int RSV1 = 0x04;
  private static final byte[] TAIL = {0x00, 0x00, (byte) 0xff, (byte) 0xff};
  private static final int CHUNK = 16 * 1024;

  private final int maxMessageBytes;
  private boolean enabled;
  private boolean noContext;
  private Inflater inflater;
  private boolean inflating;
  private long inflated;
  private boolean failed;

  BoundedInflater(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    // The 101 response carries what the extension handler negotiated; it passes here on its way
    // out.
    if (msg instanceof HttpResponse response
        && response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
      String extensions = response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
      if (extensions != null) {
        String lower = extensions.toLowerCase(Locale.ROOT);
        enabled = lower.contains("permessage-deflate");
        noContext = lower.contains("client_no_context_takeover");
      }
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!(msg instanceof WebSocketFrame frame)) {
      super.channelRead(ctx, msg);
      return;
    }
    if (failed) {
      frame.release();
      return;
    }
    boolean starts = frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame;
    if (enabled && starts && (frame.rsv() & RSV1) != 0) {
      inflating = true;
      inflated = 0;
    } else if (starts || !(frame instanceof ContinuationWebSocketFrame)) {
      if (starts) {
        inflating = false;
      }
      super.channelRead(ctx, msg);
      return;
    }
    if (!inflating) {
      super.channelRead(ctx, msg);
      return;
    }
    ByteBuf plain;
    try {
      plain = inflate(ctx, frame);
    } catch (DataFormatException e) {
      frame.release();
      fail(ctx, WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code(), "invalid deflate data");
      return;
    }
    if (plain == null) {
      frame.release();
      fail(ctx, CloseCode.TOO_BIG.code(), "message inflates beyond " + maxMessageBytes + " bytes");
      return;
    }
    boolean last = frame.isFinalFragment();
    int rsv = frame.rsv() & ~RSV1;
    WebSocketFrame out =
        frame instanceof TextWebSocketFrame
            ? new TextWebSocketFrame(last, rsv, plain)
            : frame instanceof BinaryWebSocketFrame
                ? new BinaryWebSocketFrame(last, rsv, plain)
                : new ContinuationWebSocketFrame(last, rsv, plain);
    frame.release();
    if (last) {
      inflating = false;
      if (noContext) {
        inflater.reset();
      }
    }
    ctx.fireChannelRead(out);
  }

  /**
   * Inflates one frame; returns null, having released what it inflated, when the message passes the
   * limit.
   */
  private ByteBuf inflate(ChannelHandlerContext ctx, WebSocketFrame frame)
      throws DataFormatException {
    if (inflater == null) {
      inflater = new Inflater(true);
    }
    ByteBuf content = frame.content();
    byte[] input = new byte[content.readableBytes() + (frame.isFinalFragment() ? TAIL.length : 0)];
    content.getBytes(content.readerIndex(), input, 0, content.readableBytes());
    if (frame.isFinalFragment()) {
      System.arraycopy(TAIL, 0, input, content.readableBytes(), TAIL.length);
    }
    inflater.setInput(input);
    long room = maxMessageBytes - inflated;
    ByteBuf out =
        ctx.alloc()
            .heapBuffer(
                (int) Math.min(CHUNK, room + 1), (int) Math.min(Integer.MAX_VALUE, room + 1));
    try {
      while (true) {
        if (!out.isWritable()) {
          if (out.writerIndex() > room) {
            out.release();
            return null;
          }
          out.ensureWritable(Math.min(CHUNK, out.maxWritableBytes()));
        }
        int n =
            inflater.inflate(
                out.array(), out.arrayOffset() + out.writerIndex(), out.writableBytes());
        out.writerIndex(out.writerIndex() + n);
        if (out.writerIndex() > room) {
          out.release();
          return null;
        }
        if (n == 0
            && (inflater.needsInput() || inflater.finished() || inflater.needsDictionary())) {
          break;
        }
      }
    } catch (DataFormatException | RuntimeException e) {
      out.release();
      throw e;
    }
    inflated += out.readableBytes();
    return out;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (cause instanceof CorruptedWebSocketFrameException corrupted) {
      WebSocketCloseStatus status = corrupted.closeStatus();
      fail(
          ctx,
          status == null ? WebSocketCloseStatus.PROTOCOL_ERROR.code() : status.code(),
          status == WebSocketCloseStatus.MESSAGE_TOO_BIG ? "frame too big" : "invalid frame");
      return;
    }
    super.exceptionCaught(ctx, cause);
  }

  private void fail(ChannelHandlerContext ctx, int code, String reason) {
    if (failed) {
      return;
    }
    failed = true;
    release();
    ctx.writeAndFlush(new CloseWebSocketFrame(code, reason))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    release();
    super.channelInactive(ctx);
  }

  private void release() {
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
  }
}
