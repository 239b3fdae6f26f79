package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change that can never be sent never wedges the outbox, through the whole client. How each push
 * error is answered (retry, backoff, retryAfterMs, shrink, quarantine) is stepped in {@code
 * internal.sync.SyncMachineTest}; against the real server in sync-server's e2e tests.
 */
class PushRecoveryTest {

  static final String ALICE = "user:alice";
  static final URI SERVER = URI.create("ws://fake/v1/sync");

  @TempDir Path dir;
  final FakeServer server = new FakeServer();
  final List<SyncClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    clients.forEach(SyncClient::close);
    server.shutdownServer();
  }

  SyncClient client(String name, Duration minBackoff, Duration maxBackoff) {
    server.grant("a", "alice", Set.of(ALICE), System.currentTimeMillis() + 3_600_000);
    SyncClient client =
        SyncClient.builder()
            .databasePath(dir.resolve(name + ".db"))
            .serverUri(SERVER)
            .tokenSupplier(() -> "a")
            .replicaName(name)
            .subscribe(ALICE)
            .batchSize(10)
            .backoff(minBackoff, maxBackoff)
            .transport(server)
            .build()
            .connect();
    clients.add(client);
    return client;
  }

  SyncClient client(String name) {
    return client(name, Duration.ofMillis(20), Duration.ofMillis(200));
  }

  private long serverQuantity(String sku) {
    var items = server.document(ALICE, "carts", "main").toJson().path("items");
    return items.path(sku).path("qty").asLong();
  }

  @Test
  void aWriteBeyondTheCodecLimits_failsAtTheCall_andNeverReachesTheOutbox() {
    SyncClient phone = client("phone");
    Profile profile = phone.profile(ALICE, "me");
    String huge = "x".repeat(70_000);

    assertThatThrownBy(() -> profile.set("bio", huge))
        .isInstanceOf(SyncException.class)
        .satisfies(
            e ->
                assertThat(((SyncException) e).code())
                    .isEqualTo(SyncException.Code.INVALID_ARGUMENT))
        .hasMessageContaining("65536");
    assertThatThrownBy(() -> phone.batch(() -> profile.set("bio", huge)))
        .isInstanceOf(SyncException.class)
        .satisfies(
            e ->
                assertThat(((SyncException) e).code())
                    .isEqualTo(SyncException.Code.INVALID_ARGUMENT));
    assertThat(profile.get("bio")).isEmpty();
    assertThat(phone.status().pendingChanges()).isZero();

    profile.set("bio", "short");
    phone.syncNow(Duration.ofSeconds(10)).join();
    assertThat(server.document(ALICE, "profiles", "me").toJson().path("bio").asText())
        .isEqualTo("short");
  }

  @Test
  void anOutboxRowThatCannotBeEncoded_isQuarantined_andTheRowsBehindItGoOut() throws Exception {
    Path file = dir.resolve("old.db");
    try (SyncClient offline = SyncClient.builder().databasePath(file).build()) {
      offline.cart(ALICE, "main").add("apple", 1);
      offline.cart(ALICE, "main").add("apple", 1);
    }
    // As an older build could have stored it: seq 2's delta breaks the string limit (in the delta
    // and in the push-ready changeset the delta is spliced into; SQLite reads the old row on the
    // right-hand side).
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
        PreparedStatement ps =
            db.prepareStatement(
                "UPDATE outbox SET changeset = replace(changeset, delta, ?1), delta = ?1"
                    + " WHERE seq = 2")) {
      ps.setString(
          1,
          "{\"s\":{\"bio\":{\"t\":\"reg\",\"e\":[]}},\"c\":{\"" + "y".repeat(70_000) + "\":[1]}}");
      ps.executeUpdate();
    }
    server.grant("a", "alice", Set.of(ALICE), System.currentTimeMillis() + 3_600_000);
    SyncClient phone =
        SyncClient.builder()
            .databasePath(file)
            .serverUri(SERVER)
            .tokenSupplier(() -> "a")
            .subscribe(ALICE)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .transport(server)
            .build()
            .connect();
    clients.add(phone);
    List<RejectedChange> notified = new CopyOnWriteArrayList<>();
    phone.addRejectionListener(notified::addAll);
    phone.cart(ALICE, "main").add("apple", 1);

    syncExpectingRejection(phone);
    await()
        .untilAsserted(
            () ->
                assertThat(notified)
                    .singleElement()
                    .satisfies(r -> assertThat(r.code()).isEqualTo("too_large")));
    assertThat(phone.rejectedChanges())
        .singleElement()
        .satisfies(r -> assertThat(r.seq()).isEqualTo(2));
    assertThat(phone.status().pendingChanges()).isZero();
    assertThat(serverQuantity("apple")).isEqualTo(2);
    assertThat(server.progressOf(phone.replicaId()))
        .as("seqs stay contiguous: no re-key")
        .isEqualTo(3);
  }

  private static void syncExpectingRejection(SyncClient client) {
    try {
      client.syncNow(Duration.ofSeconds(20)).join();
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(SyncException.class);
      assertThat(((SyncException) e.getCause()).code()).isEqualTo(SyncException.Code.REJECTED);
    }
  }
}
