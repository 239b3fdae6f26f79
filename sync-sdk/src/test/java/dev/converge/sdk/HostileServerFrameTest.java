package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.CodecLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK decodes incoming frames with the wire input limits (DESIGN §4, "Bounded everything"),
 * through its real OkHttp transport, against a hostile WebSocket server: a string beyond the
 * codec's input length, a message nested beyond its depth and an unknown message each end the
 * session with the coded {@code 4400 protocol} close and the {@code malformed} error in the status,
 * and the device reconnects after its backoff instead of wedging; local writes keep working
 * meanwhile.
 */
class HostileServerFrameTest {

  @TempDir Path dir;

  private MockWebServer server;
  private final List<Integer> closesFromTheDevice = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    server = new MockWebServer();
    server.start();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  /** A server that sends {@code frame} as soon as the socket opens, and records how it ends. */
  private MockResponse sends(Supplier<String> frame) {
    return new MockResponse.Builder()
        .webSocketUpgrade(
            new WebSocketListener() {
              @Override
              public void onOpen(WebSocket webSocket, Response response) {
                webSocket.send(frame.get());
              }

              @Override
              public void onClosing(WebSocket webSocket, int code, String reason) {
                closesFromTheDevice.add(code);
                webSocket.close(code, null);
              }
            })
        .build();
  }

  @Test
  void frameBeyondTheInputLimits_closesWithProtocol_andTheDeviceReconnects() {
    int maxString = CodecLimits.DEFAULTS.maxStringLength();
    int maxDepth = CodecLimits.DEFAULTS.maxDepth();
    // Beyond the length of one string: a revocation naming a space one character too long.
    server.enqueue(
        sends(() -> "{\"type\":\"revoked\",\"space\":\"" + "x".repeat(maxString + 1) + "\"}"));
    // Beyond the depth: tiny, but nested past what the codec walks.
    server.enqueue(sends(() -> "[".repeat(maxDepth * 100) + "]".repeat(maxDepth * 100)));
    server.enqueue(sends(() -> "{\"type\":\"nonsense\""));

    try (SyncClient client =
        SyncClient.builder()
            .databasePath(dir.resolve("device.db"))
            .serverUri(server.url("/v1/sync").uri())
            .tokenSupplier(() -> "token")
            .replicaName("device")
            .subscribe("user:a")
            .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
            .build()
            .connect()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(closesFromTheDevice)
                      .as("each hostile frame ends its session with a coded close")
                      .hasSizeGreaterThanOrEqualTo(3)
                      .allMatch(code -> code == CloseCode.PROTOCOL.code()));
      // One coded close per hostile session, each on its own connection; the device keeps
      // reconnecting with backoff afterwards, so a fourth attempt may already have started.
      assertThat(closesFromTheDevice).as("one session per hostile frame").hasSize(3);
      assertThat(server.getRequestCount())
          .as("the device reconnected each time")
          .isGreaterThanOrEqualTo(3);
      assertThat(client.status().lastError()).isEqualTo("malformed");
      assertThat(client.status().connection()).isNotEqualTo(ConnectionState.ONLINE);

      client.cart("user:a", "main").add("apple", 1);
      assertThat(client.cart("user:a", "main").items()).containsEntry("apple", 1L);
      // The status is published by the engine thread after the write: awaited, as elsewhere.
      await().untilAsserted(() -> assertThat(client.status().pendingChanges()).isEqualTo(1));
    }
  }
}
