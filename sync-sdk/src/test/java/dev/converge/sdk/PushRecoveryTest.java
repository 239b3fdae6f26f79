package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.converge.sdk.FakeServer.PushFailure;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every push error is retried with backoff or consumed; a change that can never be sent never
 * wedges the outbox.
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
            .build();
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
  void internalErrors_areRetriedWithBackoff_andEveryWriteCountsOnce() {
    SyncClient phone = client("phone");
    List<SyncStatus> seen = new CopyOnWriteArrayList<>();
    phone.addStatusListener(Runnable::run, seen::add);
    phone.syncNow(Duration.ofSeconds(10)).join();
    // The second failure is applied before it fails: its retry must be acked again, not counted
    // twice.
    server.failNextPushes(
        new PushFailure("internal", null, false, false),
        new PushFailure("internal", null, true, false),
        new PushFailure("internal", null, false, false));
    for (int i = 0; i < 40; i++) {
      phone.cart(ALICE, "main").add("apple", 1);
    }
    phone.syncNow(Duration.ofSeconds(20)).join();

    assertThat(serverQuantity("apple")).isEqualTo(40);
    assertThat(phone.status().pendingChanges()).isZero();
    assertThat(phone.status().lastError()).isNull();
    assertThat(phone.status().nextRetryAt()).isNull();
    assertThat(seen)
        .as("while a retry waited, the status said why and when")
        .anyMatch(
            s ->
                s.online()
                    && s.pendingChanges() > 0
                    && "internal".equals(s.lastError())
                    && s.nextRetryAt() != null);
    assertThat(seen)
        .filteredOn(s -> "internal".equals(s.lastError()) && s.pendingChanges() > 0)
        .as("an error with pending changes always says when it is (or was last) retried")
        .allMatch(s -> s.nextRetryAt() != null);
  }

  @Test
  void retryAfterMs_isHonoured() {
    SyncClient phone = client("phone");
    phone.syncNow(Duration.ofSeconds(10)).join();
    server.failNextPushes(new PushFailure("unavailable", 600L, false, false));
    phone.cart(ALICE, "main").add("apple", 1);
    phone.syncNow(Duration.ofSeconds(10)).join();

    assertThat(server.pushTimes).hasSize(2);
    long waited = TimeUnit.NANOSECONDS.toMillis(server.pushTimes.get(1) - server.pushTimes.get(0));
    assertThat(waited)
        .as("the retry waited at least the server's retryAfterMs")
        .isGreaterThanOrEqualTo(600);
    assertThat(serverQuantity("apple")).isEqualTo(1);
  }

  @Test
  void aFailureRightAfterEachWelcome_backsOffInsteadOfLooping() throws Exception {
    SyncClient phone = client("phone", Duration.ofMillis(20), Duration.ofMillis(1_000));
    phone.syncNow(Duration.ofSeconds(10)).join();
    int before = server.opened.get();
    PushFailure crash = new PushFailure("internal", null, false, true);
    server.failNextPushes(
        crash, crash, crash, crash, crash, crash, crash, crash, crash, crash, crash, crash);
    phone.cart(ALICE, "main").add("apple", 1);
    Thread.sleep(3_000);

    // A welcome that reset the backoff would reconnect every 10-20 ms: about 150 sessions here.
    assertThat(server.opened.get() - before).isLessThan(15);
    SyncStatus status = phone.status();
    assertThat(status.pendingChanges()).isEqualTo(1);
    assertThat(status.lastError()).isNotNull();
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
    // As an older build could have stored it: seq 2's delta breaks the string limit.
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
        PreparedStatement ps = db.prepareStatement("UPDATE outbox SET delta = ? WHERE seq = 2")) {
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
            .build();
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

  @Test
  void aChangeTheServerRefusesAsTooLarge_isQuarantined_afterTheBatchIsSplit() {
    SyncClient phone = client("phone");
    phone.syncNow(Duration.ofSeconds(10)).join();
    server.maxPushChars = 6_000;
    phone.pause();
    for (int i = 0; i < 6; i++) {
      phone.cart(ALICE, "main").add("apple", 1);
    }
    phone.profile(ALICE, "me").set("bio", "z".repeat(8_000));
    for (int i = 0; i < 6; i++) {
      phone.cart(ALICE, "main").add("pear", 1);
    }
    phone.resume();

    syncExpectingRejection(phone);
    assertThat(phone.rejectedChanges())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo("too_large");
              assertThat(r.key().collection()).isEqualTo(SyncClient.PROFILES);
            });
    assertThat(serverQuantity("apple")).isEqualTo(6);
    assertThat(serverQuantity("pear")).isEqualTo(6);
    assertThat(phone.status().pendingChanges()).isZero();
  }

  @Test
  void syncNow_waitsForTheServersCurrentHead_notTheLastAnnouncedOne() {
    SyncClient writer = client("writer");
    SyncClient reader = client("reader");
    reader.syncNow(Duration.ofSeconds(10)).join();
    server.deferFanOut(true);
    writer.cart(ALICE, "main").add("apple", 3);
    // Acked, though not fanned out (so the writer's own syncNow would wait too).
    await().until(() -> writer.status().pendingChanges() == 0);

    // The reader has not been told of the change: a syncNow that trusted announced heads would
    // return now.
    CompletableFuture<Void> sync = reader.syncNow(Duration.ofMillis(500));
    assertThatThrownBy(sync::join)
        .hasCauseInstanceOf(SyncException.class)
        .satisfies(
            e ->
                assertThat(((SyncException) e.getCause()).code())
                    .isEqualTo(SyncException.Code.TIMEOUT));
    CompletableFuture<Void> second = reader.syncNow(Duration.ofSeconds(10));
    server.deferFanOut(false);
    second.join();
    assertThat(reader.cart(ALICE, "main").items()).containsEntry("apple", 3L);
  }

  @Test
  void afterASnapshot_theCursorIsExactlyTheSnapshotHead_evenWhenItStoodAbove() {
    SyncClient phone = client("phone");
    for (int i = 0; i < 5; i++) {
      phone.cart(ALICE, "main").add("apple", 1);
    }
    phone.syncNow(Duration.ofSeconds(10)).join();
    assertThat(phone.status().spaces().get(ALICE).cursor()).isEqualTo(5);
    phone.close();

    // Another server whose log holds fewer changes (restored from an older backup): head 2 < cursor
    // 5.
    FakeServer restored = new FakeServer();
    try {
      restored.grant("a", "alice", Set.of(ALICE), System.currentTimeMillis() + 3_600_000);
      restored.inject(ALICE, "carts", "other", new dev.converge.core.crdt.Document(), "someone", 1);
      restored.inject(ALICE, "carts", "other", new dev.converge.core.crdt.Document(), "someone", 2);
      try (SyncClient again =
          SyncClient.builder()
              .databasePath(dir.resolve("phone.db"))
              .serverUri(SERVER)
              .tokenSupplier(() -> "a")
              .subscribe(ALICE)
              .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
              .transport(restored)
              .build()) {
        again.syncNow(Duration.ofSeconds(10)).join();
        SpaceStatus space = again.status().spaces().get(ALICE);
        assertThat(space.snapshotInProgress()).isFalse();
        assertThat(space.cursor()).isEqualTo(2);
      }
    } finally {
      restored.shutdownServer();
    }
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
