package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncStatus;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bugs the storms found, each reduced to one deterministic scenario against the real server
 * behind a {@link FaultProxy} (see {@code docs/reliability.md}, "Bugs found"), kept so the bug
 * cannot come back.
 */
class StormRegressionTest {

  @Test
  void anUnansweredUpgrade_isAbandonedAndRetried_onceTheNetworkHeals() throws Exception {
    URI server = TestServer.uri();
    Path dir = Files.createTempDirectory("converge-storm-regression");
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    try (FaultProxy proxy =
        new FaultProxy(
            "silent-upgrade", () -> new InetSocketAddress("127.0.0.1", server.getPort()), 1)) {
      // The host behind the first connection vanishes once it is accepted: the upgrade request is
      // swallowed and never answered, and nothing tells the client (no reset, no close).
      proxy.halfOpenNext();
      try (SyncClient phone =
          openBehind(proxy, dir.resolve("phone.db"), TestTokens.mint(alice), space)) {
        phone.cart(space, "main").add("sku", 1);
        Thread.sleep(2_000);
        proxy.heal();
        await()
            .atMost(Duration.ofSeconds(90))
            .untilAsserted(
                () -> {
                  SyncStatus status = phone.status();
                  assertThat(status.online()).as("online again: %s", status).isTrue();
                  assertThat(status.pendingChanges()).as("%s", status).isZero();
                });
      }
    }
  }

  private static SyncClient openBehind(FaultProxy proxy, Path db, String token, String space) {
    return StormOps.open(
        db,
        URI.create("ws://127.0.0.1:" + proxy.port() + "/v1/sync"),
        token,
        List.of(space),
        "phone");
  }
}
