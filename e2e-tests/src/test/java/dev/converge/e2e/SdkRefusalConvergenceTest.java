package dev.converge.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.sdk.DocumentHandle;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.FieldPolicy;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.Schema;
import dev.converge.sdk.SyncClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A refused push leaves the pusher's device converged with the server (DESIGN §7, "A refused
 * changeset leaves no hole"), one test per refusal class of the trust boundary, with the real SDK
 * on SQLite against the packaged server and PostgreSQL: the server consumes the changeset and logs
 * a context-only entry of the pusher's new dots; the device joins it and drops the refused value on
 * its own, the app sees the rejection with its code, and the device's read equals the server's (and
 * a second device's). The device's queue keeps draining: a write after the refusal is acked.
 *
 * <p>An honest SDK meets {@code out_of_range} when the server's increment bound is narrower than
 * the SDK's, and {@code dot_forged} when its file was copied from another user's device. The other
 * classes need a device that lies: its outbox row is edited in the file (as a tampering tool would)
 * while its local state keeps the honest write.
 */
class SdkRefusalConvergenceTest {

  private static final Duration CONVERGED = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Schema COUNTER =
      Schema.builder().field("views", FieldPolicy.COUNTER).build();
  private static final Schema NOTE =
      Schema.builder().field("title", FieldPolicy.REGISTER_LWW).build();

  private final URI server = TestServer.uri();

  private String alice;
  private String team;
  private Path dir;
  private Devices devices;

  @BeforeEach
  void aliceWithASharedSpace() throws Exception {
    alice = TestTokens.subject("alice");
    team = "team:" + alice;
    dir = Files.createTempDirectory("converge-refusal");
    devices =
        new Devices(server, dir, TestTokens.mint(alice, List.of(team), Duration.ofMinutes(10)));
  }

  @AfterEach
  void closeDevices() {
    devices.close();
  }

  @Test
  void incrementBeyondTheServersBound_outOfRange_isDroppedOnTheDevice_andLaterOnesCount()
      throws Exception {
    try (TestServer.Node narrow =
            TestServer.Node.start(
                "refusal-narrow-bound", "narrow", Map.of("CONVERGE_PUSH_MAX_INCREMENT", "1000"));
        Devices here =
            new Devices(
                narrow.uri(),
                dir.resolve("narrow"),
                TestTokens.mint(alice, List.of(team), Duration.ofMinutes(10)))) {
      Files.createDirectories(dir.resolve("narrow"));
      SyncClient device = here.open("device.db", team);
      SyncClient other = here.open("other.db", team);
      DocumentHandle views = device.document(team, "counters", "views", COUNTER);
      views.increment("views", 5);
      sync(device);
      // Within the SDK's bound (2^31), beyond this server's: refused as out_of_range.
      views.increment("views", 5_000);
      assertThat(views.counter("views")).isEqualTo(5_005);
      awaitRejection(device, "out_of_range");
      views.increment("views", 7);
      sync(device);

      await()
          .atMost(CONVERGED)
          .untilAsserted(
              () -> {
                assertThat(views.counter("views")).isEqualTo(12);
                assertThat(serverCounter(narrow.uri(), team)).isEqualTo(12);
                assertThat(other.document(team, "counters", "views", COUNTER).counter("views"))
                    .isEqualTo(12);
              });
      assertThat(device.status().pendingChanges()).isZero();
    }
  }

  @Test
  void writesOfAFileCopiedFromAnotherUser_dotForged_areDroppedOnTheDevice() throws Exception {
    String bob = TestTokens.subject("bob");
    try (Devices bobs = new Devices(server, dir, TestTokens.mint(bob))) {
      SyncClient bobDevice = bobs.open("bob/c.db", "user:" + bob);
      bobDevice.cart("user:" + bob, "main").add("apple", 1);
      sync(bobDevice);
      bobDevice.pause();
      // Written on bob's device into alice's space, never sent: the copy will push it as alice.
      bobDevice.cart(team, "shared").add("pear", 1);
    }
    Files.createDirectories(dir.resolve("alice"));
    Files.copy(dir.resolve("bob/c.db"), dir.resolve("alice/c.db"));
    SyncClient other = devices.open("other.db", team);
    other.cart(team, "shared").add("tool", 1);
    sync(other);

    SyncClient aliceDevice = devices.open("alice/c.db", team);
    awaitRejection(aliceDevice, "dot_forged");
    aliceDevice.cart(team, "shared").add("fig", 1);
    aliceDevice.syncNow(Devices.SYNCED).exceptionally(e -> null).join();

    Map<String, Long> expected = Map.of("tool", 1L, "fig", 1L);
    assertConverged(List.of(aliceDevice, other), "shared", expected);
  }

  @Test
  void pushWhoseContextNamesAReplicaTheServerNeverSaw_contextForged_isDroppedOnTheDevice()
      throws Exception {
    SyncClient device = devices.open("c.db", team);
    SyncClient other = devices.open("other.db", team);
    device.cart(team, "shared").add("apple", 1);
    sync(device);
    device.pause();
    device.cart(team, "shared").add("pear", 2);
    device.close();
    // The pushed context pre-claims a replica id nobody has used (case 1 of issue 10).
    editOnlyOutboxRow(
        "c.db",
        delta -> {
          ((ObjectNode) delta.get("c")).putArray("R2hvc3RSZXBsaWNhSWQ").add(1000);
          return delta;
        });

    SyncClient reopened = devices.open("c.db", team);
    awaitRejection(reopened, "context_forged");
    reopened.cart(team, "shared").add("fig", 3);
    sync(reopened);

    assertConverged(List.of(reopened, other), "shared", Map.of("apple", 1L, "fig", 3L));
  }

  @Test
  void pushThatRewritesAnOwnDotTheServerHolds_dotReused_isDroppedOnTheDevice() throws Exception {
    SyncClient device = devices.open("c.db", team);
    SyncClient other = devices.open("other.db", team);
    device.cart(team, "shared").add("apple", 1);
    sync(device);
    device.pause();
    device.cart(team, "shared").add("pear", 2);
    String replica = device.replicaId();
    device.close();
    // Beside the new pear, the pushed store claims the acked apple's dot again with another amount.
    editOnlyOutboxRow(
        "c.db",
        delta -> {
          ObjectNode entries = (ObjectNode) delta.get("s").get("items").get("e");
          JsonNode apple = entries.get("pear").deepCopy();
          rewriteCounterEntries(apple, replica, 1, 99);
          entries.set("apple", apple);
          ((ObjectNode) delta.get("c")).putArray(replica).add(2);
          return delta;
        });

    SyncClient reopened = devices.open("c.db", team);
    awaitRejection(reopened, "dot_reused");
    reopened.cart(team, "shared").add("fig", 3);
    sync(reopened);

    assertConverged(List.of(reopened, other), "shared", Map.of("apple", 1L, "fig", 3L));
  }

  @Test
  void refusedRegisterOverwrite_isUndoneByTheReRead_andTheDeviceReadsTheServersValueAgain()
      throws Exception {
    SyncClient device = devices.open("c.db", team);
    SyncClient other = devices.open("other.db", team);
    other.document(team, "notes", "n", NOTE).set("title", "Ada");
    sync(other);
    DocumentHandle note = device.document(team, "notes", "n", NOTE);
    await().atMost(CONVERGED).untilAsserted(() -> assertThat(note.get("title")).contains("Ada"));
    device.pause();
    // The overwrite supersedes the other member's value locally.
    note.set("title", "Eve");
    device.close();
    // Its pushed context pre-claims a replica id nobody has used: the overwrite is refused. The
    // context-only entry then drops "Eve", and no join brings "Ada" back: only the re-read does.
    editOnlyOutboxRow(
        "c.db",
        delta -> {
          ((ObjectNode) delta.get("c")).putArray("R2hvc3RSZXBsaWNhSWQ").add(1000);
          return delta;
        });

    SyncClient reopened = devices.open("c.db", team);
    awaitRejection(reopened, "context_forged");

    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () -> {
              assertThat(reopened.document(team, "notes", "n", NOTE).get("title")).contains("Ada");
              assertThat(reopened.readFields(new DocumentKey(team, "notes", "n")))
                  .isEqualTo(other.readFields(new DocumentKey(team, "notes", "n")));
            });
    assertThat(reopened.status().pendingChanges()).isZero();
  }

  /** Sets every counter entry under {@code node} to {@code [replica, counter, amount]}. */
  private static void rewriteCounterEntries(
      JsonNode node, String replica, long counter, long amount) {
    if (node.isObject() && "ctr".equals(node.path("t").asText())) {
      ArrayNode entries = (ArrayNode) node.get("e");
      entries.removeAll();
      entries.addArray().add(replica).add(counter).add(amount);
      return;
    }
    node.forEach(child -> rewriteCounterEntries(child, replica, counter, amount));
  }

  /**
   * Replaces the delta of the closed client's single outbox row, in its delta column and in the
   * push-ready changeset text the SDK sends; its local state is left as is.
   */
  private void editOnlyOutboxRow(String file, UnaryOperator<ObjectNode> edit) throws Exception {
    String delta;
    String changeset;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(file));
        PreparedStatement ps = c.prepareStatement("SELECT delta, changeset FROM outbox");
        ResultSet rs = ps.executeQuery()) {
      assertThat(rs.next()).as("one unsent row").isTrue();
      delta = rs.getString(1);
      changeset = rs.getString(2);
      assertThat(rs.next()).as("one unsent row").isFalse();
    }
    ObjectNode editedDelta = edit.apply((ObjectNode) JSON.readTree(delta));
    String edited = JSON.writeValueAsString(editedDelta);
    assertThat(edited).isNotEqualTo(delta);
    ObjectNode pushed = (ObjectNode) JSON.readTree(changeset);
    pushed.set("delta", editedDelta);
    devices.sql(
        file,
        "UPDATE outbox SET delta = '"
            + edited.replace("'", "''")
            + "', changeset = '"
            + JSON.writeValueAsString(pushed).replace("'", "''")
            + "'");
  }

  private static void awaitRejection(SyncClient device, String code) {
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () ->
                assertThat(device.rejectedChanges())
                    .extracting(RejectedChange::code)
                    .containsExactly(code));
  }

  /** The server's cart and every device's read of it are {@code expected}; nothing is pending. */
  private void assertConverged(List<SyncClient> clients, String cart, Map<String, Long> expected) {
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () -> {
              assertThat(devices.serverCart(team, cart))
                  .containsExactlyInAnyOrderEntriesOf(expected);
              for (SyncClient client : clients) {
                assertThat(client.status().pendingChanges()).isZero();
                assertThat(client.cart(team, cart).items())
                    .as("the read of device %s", client.replicaId())
                    .containsExactlyInAnyOrderEntriesOf(expected);
              }
            });
  }

  private static long serverCounter(URI base, String space) {
    String subject = space.substring("team:".length());
    return given()
        .baseUri(base.toString())
        .auth()
        .oauth2(TestTokens.mint(subject, List.of(space), Duration.ofMinutes(5)))
        .get("/v1/spaces/{space}/documents/counters/views", space)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getLong("value.views");
  }

  private static void sync(SyncClient client) {
    client.syncNow(Devices.SYNCED).join();
  }
}
