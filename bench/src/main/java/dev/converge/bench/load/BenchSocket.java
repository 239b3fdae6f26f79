package dev.converge.bench.load;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One protocol v1 session for load generation; incoming messages go to a handler on the client's
 * thread.
 */
final class BenchSocket {
  static final ProtocolCodec CODEC = new ProtocolCodec();
  private final WebSocket socket;

  private BenchSocket(WebSocket socket) {
    this.socket = socket;
  }

  static BenchSocket open(HttpClient http, URI server, String token, Consumer<Message> handler) {
    URI ws = URI.create(server.toString().replaceFirst("^http", "ws")).resolve("/v1/sync");
    WebSocket socket =
        http.newWebSocketBuilder()
            .header("Authorization", "Bearer " + token)
            .connectTimeout(Duration.ofSeconds(30))
            .buildAsync(
                ws,
                new WebSocket.Listener() {
                  private final StringBuilder partial = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(
                      WebSocket webSocket, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                      handler.accept(CODEC.decode(partial.toString()));
                      partial.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                  }
                })
            .join();
    return new BenchSocket(socket);
  }

  /** Opens a session that hands every ack to {@code acks} and reports errors on standard error. */
  static BenchSocket openPusher(
      HttpClient http,
      URI server,
      String token,
      java.util.concurrent.BlockingQueue<Message.Ack> acks) {
    return open(
        http,
        server,
        token,
        m -> {
          if (m instanceof Message.Ack ack) {
            try {
              acks.put(ack);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          } else if (m instanceof Message.Error error) {
            System.err.println("error: " + error);
          }
        });
  }

  synchronized void send(Message message) {
    socket.sendText(CODEC.encode(message), true).join();
  }

  void close() {
    socket.abort();
  }
}
