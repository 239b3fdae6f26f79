package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client for tests of {@code /v1/sync}: sends messages, queues what arrives. */
final class WsClient implements AutoCloseable {

  static final ProtocolCodec CODEC = new ProtocolCodec();

  final BlockingQueue<Message> received = new LinkedBlockingQueue<>();

  /** Messages passed over by {@link #awaitSettingAside}, oldest first. */
  private final java.util.ArrayDeque<Message> asideMessages = new java.util.ArrayDeque<>();

  final CompletableFuture<int[]> closed = new CompletableFuture<>();
  final List<String> closeReasons = new ArrayList<>();

  /** The size in UTF-8 bytes of every message received, in order. */
  final List<Integer> frameBytes = java.util.Collections.synchronizedList(new ArrayList<>());

  /** The text of every message received, in order, as the server wrote it. */
  final List<String> texts = java.util.Collections.synchronizedList(new ArrayList<>());

  private final WebSocket socket;
  volatile boolean paused;

  private WsClient(WebSocket socket) {
    this.socket = socket;
  }

  static WsClient connect(URI uri, String token) {
    return connect(uri, token, CODEC);
  }

  /**
   * Connects {@code subject} with a token granting {@code space} for an hour and sends the hello of
   * {@code replica}, following {@code space} from 0 with the stable point given (or null), naming
   * {@code predecessor} (or null) and the older ids of its {@code lineage}; does not wait for the
   * welcome.
   */
  static WsClient hello(
      URI uri,
      String subject,
      String space,
      String replica,
      Long stable,
      String predecessor,
      List<String> lineage) {
    WsClient client =
        connect(uri, TestTokens.mint(subject, List.of(space), java.time.Duration.ofHours(1)));
    client.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            replica,
            List.of(new dev.converge.core.protocol.MessageParts.Subscription(space, 0, stable)),
            predecessor,
            lineage));
    return client;
  }

  /** Connects a client that decodes what it receives with {@code codec}. */
  static WsClient connect(URI uri, String token, ProtocolCodec codec) {
    WsClient[] holder = new WsClient[1];
    Listener listener = new Listener(codec);
    WebSocket socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Authorization", "Bearer " + token)
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(
                uri.resolve("/v1/sync").toString().startsWith("http")
                    ? URI.create(uri.resolve("/v1/sync").toString().replaceFirst("^http", "ws"))
                    : uri.resolve("/v1/sync"),
                listener)
            .join();
    holder[0] = new WsClient(socket);
    listener.client = holder[0];
    return holder[0];
  }

  void send(Message message) {
    socket.sendText(CODEC.encode(message), true).join();
  }

  void sendRaw(String text) {
    socket.sendText(text, true).join();
  }

  /** Waits for the next message. */
  Message next() throws InterruptedException {
    Message message = received.poll(15, TimeUnit.SECONDS);
    assertThat(message).as("a message within 15 s").isNotNull();
    return message;
  }

  /** Waits for the next message of a type, skipping none: fails if another type comes first. */
  <T extends Message> T expect(Class<T> type) throws InterruptedException {
    Message message = next();
    assertThat(message).isInstanceOf(type);
    return type.cast(message);
  }

  /**
   * Waits for a message of a type, skipping others; a message of the type set aside by {@link
   * #awaitSettingAside} comes first.
   */
  <T extends Message> T await(Class<T> type) throws InterruptedException {
    return await(type, false);
  }

  /**
   * Waits for a message of a type, setting the others aside for later waits: for replies that the
   * server may interleave with feed frames in either order (an {@code ack} and the {@code changes}
   * of the commit it acknowledges travel independently).
   */
  <T extends Message> T awaitSettingAside(Class<T> type) throws InterruptedException {
    return await(type, true);
  }

  private <T extends Message> T await(Class<T> type, boolean setAside) throws InterruptedException {
    for (java.util.Iterator<Message> it = asideMessages.iterator(); it.hasNext(); ) {
      Message message = it.next();
      if (type.isInstance(message)) {
        it.remove();
        return type.cast(message);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    java.util.List<String> skipped = new java.util.ArrayList<>();
    while (System.nanoTime() < deadline) {
      Message message = received.poll(1, TimeUnit.SECONDS);
      if (type.isInstance(message)) {
        return type.cast(message);
      }
      if (message != null && setAside) {
        asideMessages.add(message);
      }
      if (message != null && skipped.size() < 20) {
        skipped.add(String.valueOf(message));
      }
    }
    // What came instead tells a lost message from a different answer.
    throw new AssertionError(
        "no " + type.getSimpleName() + " within 20 s; skipped " + skipped.size() + ": " + skipped);
  }

  /** Stops reading: no more frames are taken from the socket. */
  void pause() {
    paused = true;
  }

  @Override
  public void close() {
    socket.abort();
  }

  private static final class Listener implements WebSocket.Listener {
    WsClient client;
    private final ProtocolCodec codec;
    private final StringBuilder partial = new StringBuilder();

    Listener(ProtocolCodec codec) {
      this.codec = codec;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        client.frameBytes.add(
            partial.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        client.texts.add(partial.toString());
        client.received.add(codec.decode(partial.toString()));
        partial.setLength(0);
      }
      if (!client.paused) {
        webSocket.request(1);
      }
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      client.closeReasons.add(reason);
      client.closed.complete(new int[] {statusCode});
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      client.closed.completeExceptionally(error);
    }
  }
}
