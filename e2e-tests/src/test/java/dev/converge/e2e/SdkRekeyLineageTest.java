package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.sdk.SyncClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every re-key path of the real SDK keeps every unsent write, against this server and the real
 * PostgreSQL (DESIGN §7, "Re-key lineage"): the writes made under the retired id reach the server
 * under the new one, which declares the retired id as its predecessor.
 */
class SdkRekeyLineageTest {

  private static final Duration CONVERGED = Duration.ofSeconds(30);

  private final URI server = TestServer.uri();

  private String alice;
  private String space;
  private String team;
  private Devices devices;

  @BeforeEach
  void aliceWithASharedSpace() throws Exception {
    alice = TestTokens.subject("alice");
    space = "user:" + alice;
    team = "team:" + alice;
    devices = new Devices(server, Files.createTempDirectory("converge-rekey"), grantsTeam(true));
  }

  @AfterEach
  void closeDevices() {
    devices.close();
  }

  private String grantsTeam(boolean granted) {
    return TestTokens.mint(alice, granted ? List.of(team) : List.of(), Duration.ofMinutes(10));
  }

  private static void sync(SyncClient client) {
    client.syncNow(Devices.SYNCED).join();
  }

  @Test
  void copiedDatabase_deliversTheWritesTheOriginalNeverSent() throws Exception {
    SyncClient original = devices.open("a/c.db", space);
    original.cart(space, "main").add("apple", 1);
    sync(original);
    String originalId = original.replicaId();
    original.pause();
    original.cart(space, "main").add("pear", 2);
    original.cart(space, "main").add("fig", 1);
    original.close();
    Files.createDirectories(devices.file("b").toAbsolutePath());
    Files.copy(devices.file("a/c.db"), devices.file("b/c.db"));

    SyncClient copy = devices.open("b/c.db", space);
    sync(copy);

    assertThat(copy.replicaId()).isNotEqualTo(originalId);
    assertThat(copy.rejectedChanges()).isEmpty();
    assertThat(devices.serverCart(space, "main"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 1L, "pear", 2L, "fig", 1L));
  }

  @Test
  void databaseCopiedToAnotherUser_namesTheRefusedPredecessorOnce_andShowsItsWritesAsRejected()
      throws Exception {
    String bob = TestTokens.subject("bob");
    Path dir = devices.file(".");
    try (Devices bobs = new Devices(server, dir, TestTokens.mint(bob))) {
      SyncClient bobDevice = bobs.open("bob/c.db", "user:" + bob);
      bobDevice.cart("user:" + bob, "main").add("apple", 1);
      sync(bobDevice);
      bobDevice.pause();
      bobDevice.cart(space, "main").add("pear", 1);
    }
    Files.createDirectories(devices.file("alice"));
    Files.copy(devices.file("bob/c.db"), devices.file("alice/c.db"));

    SyncClient aliceDevice = devices.open("alice/c.db", space);
    await()
        .atMost(CONVERGED)
        .untilAsserted(() -> assertThat(aliceDevice.rejectedChanges()).hasSize(1));
    String settled = aliceDevice.replicaId();
    aliceDevice.cart(space, "main").add("fig", 1);
    aliceDevice.syncNow(Devices.SYNCED).exceptionally(e -> null).join();

    assertThat(aliceDevice.replicaId()).as("no re-key loop").isEqualTo(settled);
    assertThat(aliceDevice.status().pendingChanges()).isZero();
    assertThat(aliceDevice.rejectedChanges())
        .singleElement()
        .satisfies(r -> assertThat(r.code()).isEqualTo("dot_forged"));
    assertThat(devices.serverCart(space, "main")).containsExactly(Map.entry("fig", 1L));
  }

  @Test
  void anotherInstallWritingUnderTheSameId_deliversThisInstallsUnsentWrites() {
    SyncClient device = devices.open("c.db", space);
    device.cart(space, "main").add("apple", 1);
    sync(device);
    String id = device.replicaId();
    device.pause();
    device.cart(space, "main").add("pear", 1);
    device.cart(space, "main").add("fig", 3);
    // A copy of the file that never re-keyed pushes other content under the same id and seqs.
    Document copyProfile = new Document();
    devices.restPush(
        new Changeset(
            id,
            2,
            space,
            SyncClient.PROFILES,
            "me",
            new Hlc(System.currentTimeMillis(), 0),
            copyProfile.writeRegister(
                id, List.of("name"), TextNode.valueOf("the copy"), new Hlc(1, 0))),
        new Changeset(
            id,
            3,
            space,
            SyncClient.PROFILES,
            "me",
            new Hlc(System.currentTimeMillis(), 1),
            copyProfile.writeRegister(
                id, List.of("city"), TextNode.valueOf("Oslo"), new Hlc(2, 0))),
        new Changeset(
            id,
            4,
            space,
            SyncClient.PROFILES,
            "me",
            new Hlc(System.currentTimeMillis(), 2),
            copyProfile.writeRegister(
                id, List.of("email"), TextNode.valueOf("x@example.com"), new Hlc(3, 0))));
    device.resume();

    await().atMost(CONVERGED).untilAsserted(() -> assertThat(device.replicaId()).isNotEqualTo(id));
    sync(device);

    assertThat(device.rejectedChanges()).isEmpty();
    assertThat(devices.serverCart(space, "main"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 1L, "pear", 1L, "fig", 3L));
    assertThat(device.profile(space, "me").getString("name")).contains("the copy");
  }

  @Test
  void wholeDirectoryRestoredInPlace_makesTheWritesSinceAgain_andKeepsTheDiscardedFuture()
      throws Exception {
    SyncClient device = devices.open("d/c.db", space);
    device.cart(space, "main").add("apple", 1);
    sync(device);
    device.close();
    Path backup = Files.createDirectories(devices.file("backup"));
    copyFiles(devices.file("d"), backup);
    // The future the restore discards: its write took the cart's next dot, and the server has it.
    SyncClient future = devices.open("d/c.db", space);
    future.cart(space, "main").add("pear", 2);
    sync(future);
    future.close();
    // The whole directory written back into the same files (same inodes): neither the install
    // fingerprint nor the push mark beside the file can tell.
    writeFilesInPlace(backup, devices.file("d"));

    SyncClient restored = devices.openOffline("d/c.db", null, space);
    String id = restored.replicaId();
    restored.cart(space, "main").add("fig", 3);
    restored.connect();

    await().atMost(CONVERGED).until(() -> !restored.replicaId().equals(id));
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () ->
                assertThat(devices.serverCart(space, "main"))
                    .containsExactlyInAnyOrderEntriesOf(
                        Map.of("apple", 1L, "pear", 2L, "fig", 3L)));
    // The device re-reads the document: its own fig had hidden the pear under the shared dot.
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () ->
                assertThat(restored.cart(space, "main").items())
                    .containsExactlyInAnyOrderEntriesOf(
                        Map.of("apple", 1L, "pear", 2L, "fig", 3L)));
    sync(restored);
    assertThat(restored.rejectedChanges()).isEmpty();
    assertThat(restored.status().pendingChanges()).isZero();
  }

  private static void copyFiles(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** Writes each file's bytes into the file of that name, keeping its inode; others are deleted. */
  private static void writeFilesInPlace(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.list(to)) {
      for (Path file : files.toList()) {
        if (!Files.exists(from.resolve(file.getFileName()))) {
          Files.delete(file);
        }
      }
    }
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.write(to.resolve(file.getFileName()), Files.readAllBytes(file));
      }
    }
  }

  @Test
  void seqGapAnswer_deliversTheUnsentWritesUnderTheNewId() throws Exception {
    SyncClient device = devices.open("c.db", space);
    device.cart(space, "main").add("apple", 1);
    sync(device);
    String id = device.replicaId();
    device.pause();
    device.cart(space, "main").add("pear", 1);
    device.cart(space, "main").add("fig", 3);
    device.close();
    // The server has seen seq 1; the file now claims its unsent changes start far beyond it.
    devices.sql(
        "c.db",
        "UPDATE outbox SET seq = seq + 1000",
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1000 WHERE key = 'next_seq'");

    SyncClient reopened = devices.open("c.db", space);
    await()
        .atMost(CONVERGED)
        .untilAsserted(() -> assertThat(reopened.replicaId()).isNotEqualTo(id));
    sync(reopened);

    assertThat(reopened.rejectedChanges()).isEmpty();
    assertThat(devices.serverCart(space, "main"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 1L, "pear", 1L, "fig", 3L));
  }

  @Test
  void purgeWithUnsentRows_deliversTheWritesOfTheSpacesStillGranted() {
    SyncClient device = devices.open("c.db", space, team);
    device.cart(team, "shared").add("tool", 1);
    sync(device);
    // The device notices a revocation made while it was away only in a space it has followed.
    await().atMost(CONVERGED).until(() -> device.status().spaces().get(team).cursor() > 0);
    String id = device.replicaId();
    device.pause();
    device.cart(space, "main").add("apple", 1);
    device.cart(team, "shared").add("saw", 1);
    device.cart(space, "main").add("pear", 4);
    devices.token.set(grantsTeam(false));
    device.resume();

    await()
        .atMost(CONVERGED)
        .untilAsserted(() -> assertThat(device.rejectedChanges()).isNotEmpty());
    sync(device);

    assertThat(device.replicaId()).isNotEqualTo(id);
    assertThat(device.rejectedChanges())
        .singleElement()
        .satisfies(r -> assertThat(r.key().space()).isEqualTo(team));
    assertThat(devices.serverCart(space, "main"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 1L, "pear", 4L));
  }

  @Test
  void purgeRetiresTheId_soAWriteAfterTheSpaceIsGrantedAgainIsKept() {
    SyncClient device = devices.open("c.db", space, team);
    device.cart(team, "shared").add("tool", 1);
    sync(device);
    // The device notices a revocation made while it was away only in a space it has followed.
    await().atMost(CONVERGED).until(() -> device.status().spaces().get(team).cursor() > 0);
    device.pause();
    devices.token.set(grantsTeam(false));
    device.resume();
    await()
        .atMost(CONVERGED)
        .untilAsserted(() -> assertThat(device.status().spaces().get(team).forbidden()).isTrue());
    assertThat(device.cart(team, "shared").items()).isEmpty();

    device.pause();
    device.cart(team, "shared").add("saw", 2);
    devices.token.set(grantsTeam(true));
    device.resume();
    sync(device);

    Map<String, Long> expected = Map.of("tool", 1L, "saw", 2L);
    assertThat(devices.serverCart(team, "shared")).containsExactlyInAnyOrderEntriesOf(expected);
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () ->
                assertThat(device.cart(team, "shared").items())
                    .containsExactlyInAnyOrderEntriesOf(expected));
    assertThat(device.rejectedChanges()).isEmpty();
  }
}
