package dev.converge.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.crdt.ReplicaIds;
import dev.converge.core.protocol.Changeset;
import dev.converge.sdk.SyncClient;
import java.net.URI;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A change stamped at the largest timestamp the codec accepts, received from the real server: the
 * device applies it, its cursor reaches the head, it stays online, its clock (persisted too) leads
 * physical time by at most the default offset, and its next write still wins because it saw the
 * far-future one.
 */
class SdkFarFutureClockTest {

  private static final Duration CONVERGED = Duration.ofSeconds(30);

  private final URI server = TestServer.uri();

  private String alice;
  private String space;
  private Devices devices;

  @BeforeEach
  void aliceWithOneDevice() throws Exception {
    alice = TestTokens.subject("alice");
    space = "user:" + alice;
    devices =
        new Devices(server, Files.createTempDirectory("converge-clock"), TestTokens.mint(alice));
  }

  @AfterEach
  void closeDevices() {
    devices.close();
  }

  @Test
  void largestTimestampFromTheServer_leavesTheClockBounded_andTheCursorMoving() throws Exception {
    SyncClient device = devices.open("c.db", space);
    device.cart(space, "main").add("apple", 1);
    device.syncNow(Devices.SYNCED).join();
    long start = System.currentTimeMillis();

    String broken = ReplicaIds.random();
    devices.restPush(
        new Changeset(
            broken,
            1,
            space,
            SyncClient.PROFILES,
            "me",
            Hlc.MAX,
            new Document()
                .writeRegister(broken, List.of("name"), TextNode.valueOf("year 10889"), Hlc.MAX)));
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () -> assertThat(device.profile(space, "me").getString("name")).contains("year 10889"));
    device.profile(space, "me").set("name", "seen, then changed");
    device.cart(space, "main").add("pear", 1);
    device.syncNow(Devices.SYNCED).join();

    // Four changes in the log (apple, the far-future name, the overwrite, pear): the cursor gets
    // there.
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () ->
                assertThat(device.status().spaces().get(space).cursor()).isGreaterThanOrEqualTo(4));
    assertThat(device.status().online()).isTrue();
    assertThat(device.status().spaces().get(space).behindChanges()).isZero();
    String merged =
        given()
            .baseUri(server.toString())
            .auth()
            .oauth2(devices.token.get())
            .get("/v1/spaces/{space}/documents/profiles/me", space)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getString("value.name");
    assertThat(merged).isEqualTo("seen, then changed");
    device.close();
    long end = System.currentTimeMillis();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + devices.file("c.db"));
        ResultSet rs =
            c.createStatement().executeQuery("SELECT value FROM meta WHERE key = 'hlc'")) {
      assertThat(rs.next()).isTrue();
      Hlc persisted = Hlc.parse(rs.getString(1));
      long offset = HybridClock.DEFAULT_MAX_OFFSET.toMillis();
      assertThat(persisted.millis()).isBetween(start + offset, end + offset);
    }
  }
}
