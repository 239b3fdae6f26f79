package dev.converge.sdk.internal.engine;

import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.Encoded;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.internal.net.Transport;
import dev.converge.sdk.internal.sync.Event;
import java.net.URI;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one WebSocket session the machine talks to: opens it, encodes and sends messages, closes it,
 * and turns its callbacks into {@link Event}s on the engine thread, decoded there. A session ended
 * on purpose or by the peer is forgotten at once (generation count), so its late callbacks never
 * reach the machine.
 *
 * <p>Confined to the engine thread (callbacks are posted to it).
 */
final class SessionDriver {

  private static final Logger LOG = LoggerFactory.getLogger(SessionDriver.class);

  private final Transport transport;
  private final ProtocolCodec codec;
  private final URI uri;
  private final Consumer<Event> sink;
  private final InboundWindow window = new InboundWindow();
  private Transport.Session session;
  private int generation;

  /** The listener of the current session (null when none), to tell it its session is over. */
  private Listener listener;

  SessionDriver(Transport transport, ProtocolCodec codec, URI uri, Consumer<Event> sink) {
    this.transport = transport;
    this.codec = codec;
    this.uri = uri;
    this.sink = sink;
  }

  /** Opens a new session; its callbacks are posted through {@code post} to the engine thread. */
  void open(String token, Consumer<Runnable> post) {
    int gen = ++generation;
    LOG.debug("connecting to {}", uri);
    listener = new Listener(gen, post);
    session = transport.open(uri, token, listener);
  }

  /** Sends {@code message} on the current session, if any. */
  void send(Message message) {
    if (session != null && !session.send(codec.encode(message))) {
      LOG.debug("send of {} refused: session closing", message.type());
    }
  }

  /** Sends {@code message}, its documents spliced in as encoded, on the current session, if any. */
  void send(Encoded message) {
    if (session != null && !session.send(codec.encode(message))) {
      LOG.debug("send of {} refused: session closing", message.type());
    }
  }

  /** Ends the current session on purpose; its late callbacks are ignored. */
  void close(int code, String reason) {
    generation++;
    endListener();
    if (session != null) {
      session.close(code, reason);
      session = null;
    }
  }

  private void endListener() {
    if (listener != null) {
      listener.over = true;
      listener = null;
    }
  }

  private final class Listener implements Transport.Listener {
    private final int gen;
    private final Consumer<Runnable> post;

    /** Set once the session is over, from any thread: a reader waiting for the window gives up. */
    private volatile boolean over;

    Listener(int gen, Consumer<Runnable> post) {
      this.gen = gen;
      this.post = post;
    }

    private void deliver(Runnable onEngineThread) {
      post.accept(
          () -> {
            if (gen == generation) {
              onEngineThread.run();
            }
          });
    }

    @Override
    public void onOpen() {
      deliver(() -> sink.accept(new Event.Connected()));
    }

    @Override
    public void onText(String text) {
      // On the transport's reader thread: waits while the engine is behind (InboundWindow).
      int weight = window.weight(text.length());
      if (!window.enter(weight, () -> over)) {
        return;
      }
      post.accept(
          () -> {
            try {
              if (gen != generation) {
                return;
              }
              Event event;
              try {
                event = new Event.Received(codec.decode(text));
              } catch (DecodeException e) {
                event = new Event.Malformed(e.getMessage());
              }
              sink.accept(event);
            } finally {
              window.leave(weight);
            }
          });
    }

    @Override
    public void onClosed(int code, String reason) {
      over = true;
      deliver(
          () -> {
            ended();
            sink.accept(new Event.Closed(code, reason));
          });
    }

    @Override
    public void onFailure(Throwable error, int httpStatus) {
      over = true;
      deliver(
          () -> {
            LOG.debug("connection failed (http {}): {}", httpStatus, error.toString());
            ended();
            sink.accept(new Event.Failed(httpStatus, String.valueOf(error.getMessage())));
          });
    }

    private void ended() {
      generation++;
      session = null;
      endListener();
    }
  }
}
