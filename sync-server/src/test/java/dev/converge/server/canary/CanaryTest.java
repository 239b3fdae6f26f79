package dev.converge.server.canary;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.devtokens.DevKeyPair;
import dev.converge.devtokens.DevTokens;
import dev.converge.server.space.SpaceGrants;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The canary against the real server and PostgreSQL (docs/operations.md "Canary"): enabled under
 * this profile with a one-second interval, it records lag samples through two SDK replicas; the
 * reserved canary space is granted to no normal user, even one whose token names it; stopping the
 * canary deletes its SQLite files.
 */
@QuarkusTest
@TestProfile(CanaryTest.CanaryOn.class)
class CanaryTest {

  /**
   * The canary on, a round a second. The test server's port is random by default; the canary is
   * given a fixed free one to connect to.
   */
  public static class CanaryOn implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      int port;
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
        port = socket.getLocalPort();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return Map.of(
          "quarkus.http.test-port", Integer.toString(port),
          "converge.canary.server-uri", "ws://127.0.0.1:" + port + "/v1/sync",
          "converge.canary.enabled", "true",
          "converge.canary.interval", "PT1S",
          "converge.canary.timeout", "PT10S");
    }
  }

  @TestHTTPResource("/")
  URI server;

  @Inject MeterRegistry registry;

  @Inject Canary canary;

  private static String token(String subject, Map<String, String> roles) {
    return DevTokens.mintWithRoles(
        DevKeyPair.loadOrCreate(Path.of("target/converge-data")).privateKey(),
        "converge-dev",
        "converge",
        subject,
        roles,
        List.of(),
        Instant.now().minusSeconds(5),
        Instant.now().plus(Duration.ofMinutes(5)));
  }

  @Test
  void theCanaryRecordsLag_inASpaceNoNormalUserSees_andDeletesItsFilesWhenStopped()
      throws Exception {
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> registry.find("converge.canary.lag").timer().count() >= 2);
    assertThat(registry.find("converge.canary.lag").timer().max(TimeUnit.SECONDS))
        .as("a lag sample within the timeout")
        .isLessThan(10);
    assertThat(registry.find("converge.canary.failures").counter().count()).isZero();
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .containsPattern("(?m)^converge_canary_lag_seconds_count(\\{[^}]*\\})? [1-9]");

    // A normal user whose token names the canary space is not granted it: REST and WebSocket.
    String user = token("mallory-" + System.nanoTime(), Map.of(SpaceGrants.CANARY_SPACE, "write"));
    given()
        .auth()
        .oauth2(user)
        .get(
            "/v1/spaces/{space}/documents/profiles/{doc}",
            SpaceGrants.CANARY_SPACE,
            Canary.DOCUMENT)
        .then()
        .statusCode(403)
        .extract()
        .asString();
    ProtocolCodec codec = new ProtocolCodec();
    BlockingQueue<Message> received = new LinkedBlockingQueue<>();
    WebSocket socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("Authorization", "Bearer " + user)
            .buildAsync(
                URI.create(server.toString().replaceFirst("^http", "ws")).resolve("/v1/sync"),
                new WebSocket.Listener() {
                  private final StringBuilder text = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      received.add(codec.decode(text.toString()));
                      text.setLength(0);
                    }
                    ws.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    socket
        .sendText(
            codec.encode(
                new Message.Hello(
                    Message.PROTOCOL_VERSION,
                    "m" + System.nanoTime(),
                    List.of(new MessageParts.Subscription(SpaceGrants.CANARY_SPACE, 0)),
                    null)),
            true)
        .get(10, TimeUnit.SECONDS);
    Message first = received.poll(15, TimeUnit.SECONDS);
    assertThat(first).isInstanceOf(Message.Error.class);
    assertThat(((Message.Error) first).code()).isEqualTo("forbidden_space");
    Message welcome = received.poll(15, TimeUnit.SECONDS);
    assertThat(welcome).isInstanceOf(Message.Welcome.class);
    assertThat(((Message.Welcome) welcome).spaces()).isEmpty();
    socket.abort();

    Path dir = canary.directory();
    assertThat(dir).isNotNull();
    assertThat(Files.list(dir)).isNotEmpty();
    canary.stop(null);
    assertThat(Files.exists(dir)).as("the canary's SQLite files are deleted").isFalse();
  }
}
