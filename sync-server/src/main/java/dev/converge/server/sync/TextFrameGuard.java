package dev.converge.server.sync;

import dev.converge.core.protocol.CloseCode;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrame;
import java.lang.reflect.Method;

/**
 * Closes a connection with 1007 when a text message is not valid UTF-8 (RFC 6455 §8.1).
 *
 * <p>Vert.x hands text messages over already decoded, with every invalid byte replaced by U+FFFD,
 * which a client may also send on purpose; only the frames' bytes tell the two apart. So the guard
 * watches the raw frames of the underlying Vert.x socket. A frame reaches this handler before the
 * endpoint's {@code @OnTextMessage} runs for its message (that is dispatched to a later task of the
 * same event loop), so a closed session never processes the message.
 *
 * <p>WebSockets Next does not expose the Vert.x socket; it is read once through the connection's
 * non-public {@code webSocket()} accessor. The guard replaces WebSockets Next's frame handler,
 * which only feeds {@code @OnPingMessage} callbacks (this server has none; Vert.x answers pings
 * itself).
 */
final class TextFrameGuard implements Handler<WebSocketFrame> {

  private static final Method WEB_SOCKET = accessor();

  private final SyncSession session;
  private final Utf8Validator utf8 = new Utf8Validator();
  private boolean inText;

  private TextFrameGuard(SyncSession session) {
    this.session = session;
  }

  /**
   * Installs the guard on the socket of {@code connection}; call on the connection's event loop.
   */
  static void install(WebSocketConnection connection, SyncSession session) {
    try {
      WebSocketBase socket = (WebSocketBase) WEB_SOCKET.invoke(connection);
      socket.frameHandler(new TextFrameGuard(session));
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException(
          "cannot reach the Vert.x socket of " + connection.getClass().getName(), e);
    }
  }

  @Override
  public void handle(WebSocketFrame frame) {
    switch (frame.type()) {
      case TEXT -> {
        inText = true;
        utf8.reset();
      }
      case BINARY -> inText = false;
      // Control frames (ping, pong, close) may sit between the fragments of a message.
      case CONTINUATION, PING, PONG, CLOSE -> {}
    }
    if (!inText || !(frame.isText() || frame.isContinuation()) || session.isClosed()) {
      return;
    }
    Buffer bytes = frame.binaryData();
    boolean valid = true;
    for (int i = 0, n = bytes.length(); valid && i < n; i++) {
      valid = utf8.accept(bytes.getByte(i));
    }
    if (valid && frame.isFinal()) {
      valid = utf8.complete();
      inText = false;
    }
    if (!valid) {
      inText = false;
      session.close(CloseCode.INVALID_PAYLOAD.code(), "text message is not valid UTF-8");
    }
  }

  private static Method accessor() {
    try {
      Class<?> base = Class.forName("io.quarkus.websockets.next.runtime.WebSocketConnectionBase");
      Method method = base.getDeclaredMethod("webSocket");
      method.setAccessible(true);
      return method;
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
