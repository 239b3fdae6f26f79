package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.CloseCode;
import dev.converge.sdk.storage.JdbcSqlDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncClientTest {

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

  SyncClient client(String name, String token, String... spaces) {
    SyncClient.Builder b =
        SyncClient.builder()
            .databasePath(dir.resolve(name + ".db"))
            .serverUri(SERVER)
            .tokenSupplier(() -> token)
            .replicaName(name)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .transport(server);
    for (String space : spaces.length == 0 ? new String[] {ALICE} : spaces) {
      b.subscribe(space);
    }
    SyncClient client = b.build().connect();
    clients.add(client);
    return client;
  }

  void aliceToken(String token) {
    server.grant(token, "alice", Set.of(ALICE), System.currentTimeMillis() + 3_600_000);
  }

  static void sync(SyncClient... clients) {
    for (int round = 0; round < 2; round++) {
      for (SyncClient c : clients) {
        c.syncNow(Duration.ofSeconds(10)).join();
      }
    }
  }

  @Test
  void worksOfflineFromFirstLaunch_writesReadsAndListeners() throws Exception {
    SyncClient client = SyncClient.builder().databasePath(dir.resolve("local.db")).build();
    clients.add(client);
    Cart cart = client.cart(ALICE, "main");
    List<ChangeEvent> events = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    cart.addChangeListener(
        e -> {
          events.add(e);
          threads.add(Thread.currentThread().getName());
        });

    cart.add("apple", 2);
    cart.add("pear", 1);
    cart.setQuantity("apple", 5);

    assertThat(cart.items()).containsExactly(Map.entry("apple", 5L), Map.entry("pear", 1L));
    assertThat(cart.totalCount()).isEqualTo(6);
    assertThat(client.status().connection()).isEqualTo(ConnectionState.LOCAL_ONLY);
    await().untilAsserted(() -> assertThat(client.status().pendingChanges()).isEqualTo(3));
    await().untilAsserted(() -> assertThat(events).hasSize(3).allMatch(ChangeEvent::isLocal));
    assertThat(threads).allMatch(t -> t.startsWith("converge-listeners"));
    assertThat(threads).doesNotContain(Thread.currentThread().getName());
  }

  @Test
  void twoClientsOfOneUser_convergeLive() {
    aliceToken("a");
    SyncClient phone = client("phone", "a");
    SyncClient laptop = client("laptop", "a");
    List<ChangeEvent> laptopEvents = new CopyOnWriteArrayList<>();
    laptop.addCollectionListener(ALICE, SyncClient.CARTS, laptopEvents::add);

    phone.cart(ALICE, "main").add("apple", 1);
    phone.profile(ALICE, "me").set("name", "Alice");

    await()
        .untilAsserted(
            () -> assertThat(laptop.cart(ALICE, "main").items()).containsEntry("apple", 1L));
    await()
        .untilAsserted(
            () -> assertThat(laptop.profile(ALICE, "me").getString("name")).contains("Alice"));
    await().untilAsserted(() -> assertThat(laptopEvents).anyMatch(e -> !e.isLocal()));
    sync(phone, laptop);
    assertThat(phone.status().pendingChanges()).isZero();
    assertThat(phone.status().lastAck()).isPresent();
    assertThat(laptop.status().spaces().get(ALICE).caughtUp()).isTrue();
  }

  @Test
  void offlineEditsOnBoth_convergeToDesignResults() {
    aliceToken("a");
    SyncClient phone = client("phone", "a");
    SyncClient laptop = client("laptop", "a");
    phone.cart(ALICE, "main").add("apple", 1);
    sync(phone, laptop);
    phone.pause();
    laptop.pause();

    // Concurrent adds sum; an add concurrent with a remove survives; profile: LWW with a loser
    // kept.
    phone.cart(ALICE, "main").add("apple", 2);
    laptop.cart(ALICE, "main").add("apple", 3);
    phone.cart(ALICE, "main").remove("apple");
    laptop.cart(ALICE, "main").add("pear", 1);
    phone.profile(ALICE, "me").set("city", "Paris");
    laptop.profile(ALICE, "me").set("city", "Rome");
    assertThat(phone.status().connection()).isEqualTo(ConnectionState.PAUSED);

    phone.resume();
    laptop.resume();
    sync(phone, laptop);

    for (SyncClient c : List.of(phone, laptop)) {
      assertThat(c.cart(ALICE, "main").items())
          .containsExactly(Map.entry("apple", 3L), Map.entry("pear", 1L));
      List<FieldConflict> conflicts = c.profile(ALICE, "me").conflicts();
      assertThat(conflicts).hasSize(1);
      assertThat(conflicts.get(0).field()).isEqualTo("city");
      assertThat(conflicts.get(0).losers()).hasSize(1);
    }
    assertThat(phone.profile(ALICE, "me").get("city"))
        .isEqualTo(laptop.profile(ALICE, "me").get("city"));
    FieldConflict conflict = phone.profile(ALICE, "me").conflicts().get(0);
    assertThat(Set.of(conflict.winner().replicaId(), conflict.losers().get(0).replicaId()))
        .containsExactlyInAnyOrder(phone.replicaId(), laptop.replicaId());
  }

  @Test
  void refusedChange_isQuarantinedVisibleAndNeverStallsTheQueue() {
    aliceToken("a");
    SyncClient phone = client("phone", "a");
    Schema schema = Schema.builder().field("score", FieldPolicy.COUNTER).build();
    phone.document(ALICE, "games", "g1", schema).increment("score", 5);
    sync(phone);

    server.setReachable(false);
    SyncClient tablet = client("tablet", "a");
    // Beyond the fake server's increment bound: refused (out_of_range) and consumed.
    tablet.document(ALICE, "games", "g1", schema).increment("score", 5_000);
    tablet.cart(ALICE, "main").add("apple", 1);
    List<RejectedChange> notified = new CopyOnWriteArrayList<>();
    tablet.addRejectionListener(notified::addAll);
    server.setReachable(true);

    assertThatThrownBy(() -> tablet.syncNow(Duration.ofSeconds(10)).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(SyncException.class)
        .satisfies(
            e ->
                assertThat(((SyncException) e.getCause()).code())
                    .isEqualTo(SyncException.Code.REJECTED));
    List<RejectedChange> rejected = tablet.rejectedChanges();
    assertThat(rejected).hasSize(1);
    assertThat(rejected.get(0).code()).isEqualTo("out_of_range");
    assertThat(rejected.get(0).key()).isEqualTo(new DocumentKey(ALICE, "games", "g1"));
    await().untilAsserted(() -> assertThat(notified).hasSize(1));
    assertThat(tablet.status().pendingChanges()).isZero();
    assertThat(tablet.status().rejectedChanges()).isEqualTo(1);
    // The change after the bad one went through, and the refused increment left the tablet's
    // counter.
    await()
        .untilAsserted(
            () -> assertThat(phone.cart(ALICE, "main").items()).containsEntry("apple", 1L));
    assertThat(tablet.document(ALICE, "games", "g1", schema).counter("score")).isEqualTo(5);
    assertThat(tablet.dismissRejected(rejected.get(0).id())).isTrue();
    assertThat(tablet.rejectedChanges()).isEmpty();
    tablet.syncNow(Duration.ofSeconds(10)).join();
  }

  @Test
  void clientBehindRetainedLog_getsSnapshotPagesAndCatchesUp() {
    aliceToken("a");
    server.pageSize = 2;
    SyncClient writer = client("writer", "a");
    for (int i = 0; i < 7; i++) {
      writer.profile(ALICE, "p" + i).set("name", "n" + i);
    }
    sync(writer);
    server.compact(ALICE);

    SyncClient fresh = client("fresh", "a");
    sync(fresh);
    for (int i = 0; i < 7; i++) {
      assertThat(fresh.profile(ALICE, "p" + i).getString("name")).contains("n" + i);
    }
    SpaceStatus space = fresh.status().spaces().get(ALICE);
    assertThat(space.cursor()).isEqualTo(7);
    assertThat(space.snapshotInProgress()).isFalse();
    assertThat(space.behindChanges()).isZero();
  }

  @Test
  void longCatchUp_streamsPagesAndMovesTheCursor() {
    aliceToken("a");
    server.pageSize = 3;
    // Ten log entries to page through: each write pushed on its own, not joined into a range.
    SyncClient writer =
        SyncClient.builder()
            .databasePath(dir.resolve("writer.db"))
            .serverUri(SERVER)
            .tokenSupplier(() -> "a")
            .replicaName("writer")
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .transport(server)
            .subscribe(ALICE)
            .coalesceOutbox(false)
            .build()
            .connect();
    clients.add(writer);
    for (int i = 0; i < 10; i++) {
      writer.cart(ALICE, "main").add("sku" + i, 1);
    }
    sync(writer);
    SyncClient reader = client("reader", "a");
    sync(reader);
    assertThat(reader.cart(ALICE, "main").totalCount()).isEqualTo(10);
    assertThat(reader.status().spaces().get(ALICE).cursor()).isEqualTo(10);
  }

  @Test
  void tokenIsRefreshedBeforeExpiry_withoutReconnecting() {
    server.grant("short", "alice", Set.of(ALICE), System.currentTimeMillis() + 1_500);
    server.grant("long", "alice", Set.of(ALICE), System.currentTimeMillis() + 3_600_000);
    AtomicInteger calls = new AtomicInteger();
    SyncClient client =
        SyncClient.builder()
            .databasePath(dir.resolve("c.db"))
            .serverUri(SERVER)
            .subscribe(ALICE)
            .tokenSupplier(() -> calls.getAndIncrement() == 0 ? "short" : "long")
            .transport(server)
            .build()
            .connect();
    clients.add(client);
    await().atMost(5, TimeUnit.SECONDS).until(() -> server.authMessages.get() >= 1);
    await()
        .pollDelay(Duration.ofMillis(1_600))
        .atMost(5, TimeUnit.SECONDS)
        .untilAsserted(() -> assertThat(client.status().online()).isTrue());
    client.cart(ALICE, "main").add("apple", 1);
    client.syncNow(Duration.ofSeconds(5)).join();
    assertThat(server.opened.get()).isEqualTo(1);
  }

  @Test
  void close4001_reconnectsWithFreshToken_thenReportsAuthFailure() {
    aliceToken("good");
    List<String> tokens = new CopyOnWriteArrayList<>(List.of("good", "good", "bad", "bad", "bad"));
    SyncClient client =
        SyncClient.builder()
            .databasePath(dir.resolve("c.db"))
            .serverUri(SERVER)
            .subscribe(ALICE)
            .tokenSupplier(() -> tokens.size() > 1 ? tokens.remove(0) : tokens.get(0))
            .backoff(Duration.ofMillis(20), Duration.ofMillis(100))
            .transport(server)
            .build()
            .connect();
    clients.add(client);
    await().until(() -> client.status().online());
    server.closeAll(CloseCode.TOKEN.code());
    await().until(() -> server.opened.get() == 2 && client.status().online());

    server.closeAll(CloseCode.TOKEN.code());
    await()
        .untilAsserted(
            () -> assertThat(client.status().connection()).isEqualTo(ConnectionState.AUTH_FAILED));
    tokens.set(0, "good");
    await().until(() -> client.status().online());
  }

  @Test
  void tooSlowClose_reconnectsWithBackoffAndResumesFromCursors() {
    aliceToken("a");
    SyncClient phone = client("phone", "a");
    SyncClient laptop = client("laptop", "a");
    phone.cart(ALICE, "main").add("apple", 1);
    sync(phone, laptop);
    server.closeAll(CloseCode.TOO_SLOW.code());
    phone.cart(ALICE, "main").add("apple", 1);
    await()
        .untilAsserted(() -> assertThat(laptop.cart(ALICE, "main").quantity("apple")).isEqualTo(2));
    assertThat(laptop.status().spaces().get(ALICE).cursor()).isEqualTo(2);
  }

  @Test
  void revokedSpace_whileOnline_isPurged() {
    server.grant("a", "alice", Set.of(ALICE, "team:1"), System.currentTimeMillis() + 3_600_000);
    SyncClient client = client("c", "a", ALICE, "team:1");
    client.cart("team:1", "shared").add("tool", 1);
    client.cart(ALICE, "main").add("apple", 1);
    sync(client);
    List<ChangeEvent> events = new CopyOnWriteArrayList<>();
    client.addCollectionListener("team:1", SyncClient.CARTS, events::add);

    server.revoke("alice", "team:1");

    await().untilAsserted(() -> assertThat(client.cart("team:1", "shared").items()).isEmpty());
    assertThat(client.readFields(new DocumentKey("team:1", SyncClient.CARTS, "shared"))).isEmpty();
    assertThat(client.cart(ALICE, "main").items()).containsEntry("apple", 1L);
    assertThat(client.status().spaces().get("team:1").forbidden()).isTrue();
    assertThat(client.rejectedChanges()).isEmpty();
    await().untilAsserted(() -> assertThat(events).anyMatch(e -> !e.isLocal()));
  }

  @Test
  void revocationMissedWhileOffline_purgesAndRejectsUnsentChanges_andKeepsDraining() {
    server.grant("a", "alice", Set.of(ALICE, "team:1"), System.currentTimeMillis() + 3_600_000);
    SyncClient client = client("c", "a", ALICE, "team:1");
    client.cart("team:1", "shared").add("tool", 1);
    sync(client);
    String before = client.replicaId();
    client.pause();
    client.cart("team:1", "shared").add("saw", 1);
    client.cart(ALICE, "main").add("apple", 1);
    server.revoke("alice", "team:1");
    client.resume();

    await().untilAsserted(() -> assertThat(client.rejectedChanges()).isNotEmpty());
    sync(client);
    assertThat(client.cart("team:1", "shared").items()).isEmpty();
    assertThat(client.rejectedChanges())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo("revoked");
              assertThat(r.key().space()).isEqualTo("team:1");
            });
    // The purge left a hole in the seqs, so the replica took a fresh id and the queue kept
    // draining.
    assertThat(client.replicaId()).isNotEqualTo(before);
    assertThat(client.status().pendingChanges()).isZero();
    assertThat(server.document(ALICE, SyncClient.CARTS, "main").toJson().toString())
        .contains("\"apple\":{\"qty\":1}");
  }

  @Test
  void forbiddenSubscription_isReportedAndOtherSpacesSync() {
    aliceToken("a");
    SyncClient client = client("c", "a", ALICE, "team:9");
    client.cart(ALICE, "main").add("apple", 1);
    sync(client);
    assertThat(client.status().spaces().get("team:9").forbidden()).isTrue();
    assertThat(client.status().spaces().get(ALICE).forbidden()).isFalse();
  }

  @Test
  void echoOfOwnReplicaIdBeyondIssuedSeqs_meansACopy_andReKeys() {
    aliceToken("a");
    SyncClient client = client("c", "a");
    client.cart(ALICE, "main").add("apple", 1);
    sync(client);
    String original = client.replicaId();
    Document foreign = new Document();
    Document delta =
        foreign.writeRegister(
            original, List.of("name"), TextNode.valueOf("from the copy"), new Hlc(1, 0));
    server.inject(ALICE, SyncClient.PROFILES, "me", delta, original, 42);

    await().untilAsserted(() -> assertThat(client.replicaId()).isNotEqualTo(original));
    client.cart(ALICE, "main").add("pear", 1);
    sync(client);
    assertThat(server.progressOf(client.replicaId())).isEqualTo(1);
    assertThat(client.profile(ALICE, "me").getString("name")).contains("from the copy");
  }

  @Test
  void syncNow_timesOutWhileTheServerIsUnreachable_thenSucceeds() {
    aliceToken("a");
    server.setReachable(false);
    SyncClient client = client("c", "a");
    client.cart(ALICE, "main").add("apple", 1);
    assertThatThrownBy(() -> client.syncNow(Duration.ofMillis(300)).join())
        .hasCauseInstanceOf(SyncException.class)
        .satisfies(
            e ->
                assertThat(((SyncException) e.getCause()).code())
                    .isEqualTo(SyncException.Code.TIMEOUT));
    assertThat(client.status().connection()).isEqualTo(ConnectionState.OFFLINE);
    assertThat(client.status().pendingChanges()).isEqualTo(1);
    server.setReachable(true);
    client.syncNow(Duration.ofSeconds(10)).join();
    assertThat(client.status().pendingChanges()).isZero();
  }

  @Test
  void statusListener_reportsOnlineAndPending() {
    aliceToken("a");
    List<SyncStatus> seen = new CopyOnWriteArrayList<>();
    SyncClient client = client("c", "a");
    ListenerToken token = client.addStatusListener(seen::add);
    client.cart(ALICE, "main").add("apple", 1);
    sync(client);
    await().untilAsserted(() -> assertThat(seen).anyMatch(s -> s.pendingChanges() == 1));
    await()
        .untilAsserted(() -> assertThat(seen).anyMatch(s -> s.online() && s.pendingChanges() == 0));
    token.remove();
    int count = seen.size();
    client.cart(ALICE, "main").add("apple", 1);
    sync(client);
    assertThat(seen).hasSize(count);
  }

  @Test
  void genericDocument_appliesEachFieldPolicy() {
    SyncClient client = SyncClient.builder().databasePath(dir.resolve("g.db")).build();
    clients.add(client);
    Schema schema =
        Schema.builder()
            .field("title", FieldPolicy.REGISTER_LWW)
            .field("status", FieldPolicy.REGISTER_MULTI_VALUE)
            .field("views", FieldPolicy.COUNTER)
            .field("tags", FieldPolicy.SET)
            .field("meta", FieldPolicy.MAP)
            .build();
    DocumentHandle doc = client.document(ALICE, "notes", "n1", schema);
    doc.set("title", "Hello");
    doc.set("status", "draft");
    doc.increment("views", 3);
    doc.increment("views", -1);
    doc.addToSet("tags", "a");
    doc.addToSet("tags", "b");
    doc.removeFromSet("tags", "a");
    doc.put("meta", "lang", "en");
    doc.put("meta", "rev", 2);
    doc.removeKey("meta", "rev");

    assertThat(doc.get("title")).contains("Hello");
    assertThat(doc.values("status")).extracting(FieldValue::value).containsExactly("draft");
    assertThat(doc.counter("views")).isEqualTo(2);
    assertThat(doc.elements("tags")).containsExactly("b");
    assertThat(doc.map("meta")).containsOnlyKeys("lang").containsEntry("lang", "en");
    assertThat(doc.fields())
        .containsEntry("views", 2L)
        .containsEntry("tags", List.of("b"))
        .containsEntry("title", "Hello");
    assertThatThrownBy(() -> doc.increment("title", 1))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("field 'title' is REGISTER_LWW, not COUNTER");
    assertThatThrownBy(() -> doc.set("nope", "x"))
        .isInstanceOf(SyncException.class)
        .hasMessageContaining("not declared");
  }

  @Test
  void argumentChecks_nameTheViolatedCondition() {
    assertThatThrownBy(() -> SyncClient.builder().batchSize(0))
        .isInstanceOf(SyncException.class)
        .hasMessage("batchSize <= 0")
        .satisfies(
            e ->
                assertThat(((SyncException) e).code())
                    .isEqualTo(SyncException.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> SyncClient.builder().build())
        .hasMessage("set exactly one of databasePath and database");
    assertThatThrownBy(
            () ->
                SyncClient.builder()
                    .databasePath(dir.resolve("x.db"))
                    .database(JdbcSqlDatabase.opener(dir.resolve("x.db")))
                    .build())
        .hasMessage("set exactly one of databasePath and database");
    assertThatThrownBy(
            () -> SyncClient.builder().databasePath(dir.resolve("x.db")).serverUri(SERVER).build())
        .hasMessage("serverUri is set but tokenSupplier is not");
    assertThatThrownBy(() -> SyncClient.builder().serverUri(URI.create("ftp://x")))
        .hasMessageContaining("scheme");
    SyncClient client = SyncClient.builder().databasePath(dir.resolve("y.db")).build();
    clients.add(client);
    assertThatThrownBy(() -> client.cart(ALICE, "main").add("apple", 0))
        .hasMessage("quantity <= 0");
    assertThatThrownBy(() -> client.cart(ALICE, " ")).hasMessage("docId is null or blank");
  }

  @Test
  void secondClientOnTheSameFile_failsFast_andClosedClientRefusesCalls() {
    SyncClient client = SyncClient.builder().databasePath(dir.resolve("one.db")).build();
    client.cart(ALICE, "main").add("apple", 1);
    assertThatThrownBy(
            () ->
                SyncClient.builder()
                    .databasePath(dir.resolve("one.db"))
                    .build()
                    .cart(ALICE, "m")
                    .items())
        .isInstanceOf(SyncException.class)
        .satisfies(
            e -> assertThat(((SyncException) e).code()).isEqualTo(SyncException.Code.STORAGE));
    client.close();
    client.close();
    assertThatThrownBy(() -> client.cart(ALICE, "main").items())
        .satisfies(
            e -> assertThat(((SyncException) e).code()).isEqualTo(SyncException.Code.CLOSED));
    SyncClient reopened = SyncClient.builder().databasePath(dir.resolve("one.db")).build();
    clients.add(reopened);
    assertThat(reopened.cart(ALICE, "main").items()).containsEntry("apple", 1L);
    assertThat(reopened.status().pendingChanges()).isEqualTo(1);
  }

  @Test
  void databaseOpener_opensTheSameStoreAsThePath_andTheClientClosesIt() {
    Path file = dir.resolve("opened.db");
    try (SyncClient client = SyncClient.builder().database(JdbcSqlDatabase.opener(file)).build()) {
      client.cart(ALICE, "main").add("apple", 2);
    }
    // Closed by the client: the file is free again (sqlite-jdbc holds it exclusively while open).
    try (SyncClient client = SyncClient.builder().databasePath(file).build()) {
      assertThat(client.cart(ALICE, "main").items()).containsEntry("apple", 2L);
    }
  }
}
