package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every re-key path of the client keeps every unsent write (DESIGN §7, "Re-key lineage"), against a
 * fake server that accepts another replica's store dots only from a successor that declared it as
 * predecessor: a write carried without the declaration would come back rejected.
 */
class RekeyLineageTest {

  static final String ALICE = SyncClientTest.ALICE;
  static final String TEAM = "team:1";

  @TempDir Path dir;
  final FakeServer server = new FakeServer();
  final List<SyncClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    clients.forEach(SyncClient::close);
    server.shutdownServer();
  }

  SyncClient client(Path file, String... spaces) {
    return clientWithToken(file, "a", spaces);
  }

  SyncClient clientWithToken(Path file, String token, String... spaces) {
    SyncClient.Builder b =
        SyncClient.builder()
            .databasePath(file)
            .serverUri(SyncClientTest.SERVER)
            .tokenSupplier(() -> token)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .transport(server);
    for (String space : spaces.length == 0 ? new String[] {ALICE} : spaces) {
      b.subscribe(space);
    }
    SyncClient client = b.build();
    clients.add(client);
    return client;
  }

  void grant(String... spaces) {
    server.grant("a", "alice", Set.of(spaces), System.currentTimeMillis() + 3_600_000);
  }

  Map<String, Long> serverCart(String space, String cart) {
    return Cart.of(server.document(space, SyncClient.CARTS, cart)).items();
  }

  @Test
  void copiedDatabase_deliversTheUnsentWritesOfTheOriginalId() throws Exception {
    grant(ALICE);
    Path original = dir.resolve("a/c.db");
    SyncClient device = client(original);
    device.cart(ALICE, "main").add("apple", 1);
    SyncClientTest.sync(device);
    String originalId = device.replicaId();
    device.pause();
    device.cart(ALICE, "main").add("pear", 2);
    device.cart(ALICE, "main").add("fig", 1);
    device.close();
    Path copy = dir.resolve("b/c.db");
    Files.createDirectories(copy.getParent());
    Files.copy(original, copy);

    SyncClient restored = client(copy);
    SyncClientTest.sync(restored);

    assertThat(restored.replicaId()).isNotEqualTo(originalId);
    assertThat(server.declaredPredecessors()).contains(originalId);
    assertThat(restored.rejectedChanges()).isEmpty();
    assertThat(restored.status().pendingChanges()).isZero();
    assertThat(serverCart(ALICE, "main"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 1L, "pear", 2L, "fig", 1L));
  }

  @Test
  void databaseCopiedToAnotherUser_isRefusedItsPredecessorOnce_andShowsTheCarriedWritesAsRejected()
      throws Exception {
    server.grant("b", "bob", Set.of("user:bob"), System.currentTimeMillis() + 3_600_000);
    grant(ALICE);
    Path bobs = dir.resolve("bob/c.db");
    SyncClient bobDevice = clientWithToken(bobs, "b", "user:bob");
    bobDevice.cart("user:bob", "main").add("apple", 1);
    SyncClientTest.sync(bobDevice);
    bobDevice.pause();
    bobDevice.cart(ALICE, "main").add("pear", 1);
    bobDevice.close();
    Path copy = dir.resolve("alice/c.db");
    Files.createDirectories(copy.getParent());
    Files.copy(bobs, copy);

    SyncClient aliceDevice = clientWithToken(copy, "a", ALICE);
    await().untilAsserted(() -> assertThat(aliceDevice.rejectedChanges()).hasSize(1));
    String settled = aliceDevice.replicaId();
    aliceDevice.cart(ALICE, "main").add("fig", 1);
    aliceDevice.syncNow(Duration.ofSeconds(10)).exceptionally(e -> null).join();

    // One re-key (the copy), no loop: the refused predecessor is named once, then dropped.
    assertThat(aliceDevice.replicaId()).isEqualTo(settled);
    assertThat(aliceDevice.status().online()).isTrue();
    assertThat(aliceDevice.status().pendingChanges()).isZero();
    assertThat(aliceDevice.rejectedChanges())
        .singleElement()
        .satisfies(r -> assertThat(r.code()).isEqualTo("dot_forged"));
    assertThat(serverCart(ALICE, "main")).containsExactly(Map.entry("fig", 1L));
  }

  @Test
  void forkDetectedFromTheServersLog_deliversTheWritesWhoseAcksWereLost() {
    grant(ALICE);
    SyncClient device = client(dir.resolve("c.db"));
    device.cart(ALICE, "main").add("apple", 1);
    SyncClientTest.sync(device);
    String originalId = device.replicaId();
    server.dropPushesOf(originalId);
    device.cart(ALICE, "main").add("pear", 1);
    Document foreign = new Document();
    server.inject(
        ALICE,
        SyncClient.PROFILES,
        "me",
        foreign.writeRegister(
            originalId, List.of("name"), TextNode.valueOf("from a copy"), new Hlc(1, 0)),
        originalId,
        42);

    await().untilAsserted(() -> assertThat(device.replicaId()).isNotEqualTo(originalId));
    SyncClientTest.sync(device);

    assertThat(server.declaredPredecessors()).contains(originalId);
    assertThat(device.rejectedChanges()).isEmpty();
    assertThat(serverCart(ALICE, "main"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 1L, "pear", 1L));
  }

  @ParameterizedTest
  @ValueSource(strings = {"seq_gap", "seq_regression", "replica_forged"})
  void serverDisagreeingWithTheSeqs_deliversTheUnsentWritesUnderTheNewId(String code) {
    grant(ALICE);
    SyncClient device = client(dir.resolve("c.db"));
    device.cart(ALICE, "main").add("apple", 1);
    SyncClientTest.sync(device);
    String originalId = device.replicaId();
    device.pause();
    device.cart(ALICE, "main").add("pear", 1);
    device.cart(ALICE, "main").add("fig", 3);
    server.failNextPushes(new FakeServer.PushFailure(code, null, false, false));
    device.resume();

    await().untilAsserted(() -> assertThat(device.replicaId()).isNotEqualTo(originalId));
    SyncClientTest.sync(device);

    assertThat(device.rejectedChanges()).isEmpty();
    assertThat(serverCart(ALICE, "main"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 1L, "pear", 1L, "fig", 3L));
    List<String> declared = server.declaredPredecessors();
    assertThat(declared.get(declared.size() - 1)).isEqualTo(originalId);
    // Once every row of the retired id is acked, the next hello names no predecessor.
    device.pause();
    device.resume();
    SyncClientTest.sync(device);
    declared = server.declaredPredecessors();
    assertThat(declared.get(declared.size() - 1)).isNull();
  }

  @Test
  void purgeWithUnsentRows_deliversTheOtherSpacesWrites() {
    grant(ALICE, TEAM);
    SyncClient device = client(dir.resolve("c.db"), ALICE, TEAM);
    device.cart(TEAM, "shared").add("tool", 1);
    SyncClientTest.sync(device);
    String originalId = device.replicaId();
    device.pause();
    device.cart(ALICE, "main").add("apple", 1);
    device.cart(TEAM, "shared").add("saw", 1);
    device.cart(ALICE, "main").add("pear", 4);
    server.revoke("alice", TEAM);
    device.resume();

    await().untilAsserted(() -> assertThat(device.replicaId()).isNotEqualTo(originalId));
    SyncClientTest.sync(device);

    assertThat(device.rejectedChanges())
        .singleElement()
        .satisfies(r -> assertThat(r.key().space()).isEqualTo(TEAM));
    assertThat(server.declaredPredecessors()).contains(originalId);
    assertThat(serverCart(ALICE, "main"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 1L, "pear", 4L));
  }

  @Test
  void purgeRetiresTheId_soAWriteAfterARegrantIsNotLostToAReusedDot() {
    grant(ALICE, TEAM);
    SyncClient device = client(dir.resolve("c.db"), ALICE, TEAM);
    device.cart(TEAM, "shared").add("tool", 1);
    SyncClientTest.sync(device);
    String originalId = device.replicaId();

    server.revoke("alice", TEAM);
    await().untilAsserted(() -> assertThat(device.cart(TEAM, "shared").items()).isEmpty());
    device.pause();
    device.cart(TEAM, "shared").add("saw", 2);
    grant(ALICE, TEAM);
    device.resume();
    SyncClientTest.sync(device);

    Map<String, Long> expected = Map.of("tool", 1L, "saw", 2L);
    assertThat(serverCart(TEAM, "shared")).containsExactlyInAnyOrderEntriesOf(expected);
    await()
        .untilAsserted(
            () ->
                assertThat(device.cart(TEAM, "shared").items())
                    .containsExactlyInAnyOrderEntriesOf(expected));
    assertThat(device.rejectedChanges()).isEmpty();
    assertThat(device.replicaId()).isNotEqualTo(originalId);
  }
}
