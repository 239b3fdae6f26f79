package dev.converge.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.converge.core.digest.DocDigest;
import dev.converge.sdk.FieldPolicy;
import dev.converge.sdk.Schema;
import dev.converge.sdk.SyncClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A damaged server {@code doc_state} row is found by a device's digest round and rebuilt by the
 * server from its checkpoint plus the log (docs/operations.md, "ConvergeDivergenceFound"), with the
 * scrub, the log compaction and the counter compaction held off for the whole test: only the
 * device's exchange can find it. Both ends end identical, with nothing lost, nothing duplicated,
 * and the device never takes on the damaged state. Real server process, PostgreSQL, SDK on SQLite.
 */
class SdkServerStateRepairTest {

  private static final Duration INTERVAL = Duration.ofSeconds(2);

  /** Two digest intervals, plus one poll of slack. */
  private static final Duration REPAIRED = INTERVAL.multipliedBy(2).plusMillis(500);

  private static final Schema NOTE =
      Schema.builder().field("title", FieldPolicy.REGISTER_LWW).build();

  @Test
  void damagedServerRows_areRebuiltThroughADevicesDigestRound_withinTwoIntervals()
      throws Exception {
    String alice = TestTokens.subject("scrubless");
    String space = "user:" + alice;
    Path dir = Files.createTempDirectory("converge-server-state");
    try (TestServer.Node node =
            TestServer.Node.start(
                "server-state",
                "server-state",
                Map.of(
                    "CONVERGE_SCRUB_INTERVAL", "PT1H",
                    "CONVERGE_LOG_COMPACTION_INTERVAL", "PT1H",
                    "CONVERGE_COUNTER_COMPACTION_INTERVAL", "PT1H"));
        Devices devices =
            new Devices(
                node.uri(), dir, TestTokens.mint(alice, List.of(), Duration.ofMinutes(30)))) {
      SyncClient device = devices.open("a.db", INTERVAL, space);
      device.cart(space, "main").add("apple", 2);
      device.syncNow(Devices.SYNCED).join();
      String older = serverState(space, "main");
      device.cart(space, "main").add("pear", 1);
      device.cart(space, "main").add("apple", 3);
      device.document(space, "notes", "n1", NOTE).set("title", "Ada");
      device.syncNow(Devices.SYNCED).join();
      String cart = serverState(space, "main");
      String note = serverState(space, "n1");
      long logRows = logRows(space);
      double rebuiltBefore = counter(node, "divergent_documents_total", "cause=\"server_state\"");

      // An older state that misses acknowledged writes, and a state that is no document at all.
      updateState(space, "main", older);
      updateState(space, "n1", "{\"not\":\"a document\"}");
      Instant damaged = Instant.now();

      await()
          .atMost(REPAIRED)
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () -> {
                assertThat(serverState(space, "main")).isEqualTo(cart);
                assertThat(serverState(space, "n1")).isEqualTo(note);
              });
      assertThat(Duration.between(damaged, Instant.now())).isLessThan(REPAIRED);
      assertThat(counter(node, "divergent_documents_total", "cause=\"server_state\""))
          .isEqualTo(rebuiltBefore + 2);
      // The server repaired itself: nothing was reported to the device, nothing counted repaired.
      Thread.sleep(INTERVAL.toMillis());
      assertThat(counter(node, "repaired_documents_total", "direction=\"to_device\"")).isZero();
      assertThat(counter(node, "repaired_documents_total", "direction=\"to_server\"")).isZero();

      // Both ends identical; nothing pushed again, nothing lost or counted twice.
      assertThat(devices.serverCart(space, "main")).isEqualTo(Map.of("apple", 5L, "pear", 1L));
      assertThat(device.cart(space, "main").items()).isEqualTo(Map.of("apple", 5L, "pear", 1L));
      assertThat(device.document(space, "notes", "n1", NOTE).get("title")).contains("Ada");
      assertThat(logRows(space)).isEqualTo(logRows);
      // The device never took on the damaged state: it repaired nothing of its own.
      assertThat(device.status().repairedDocuments()).isZero();
      assertThat(device.status().pendingChanges()).isZero();
      device.close();
      assertThat(localDigest(dir.resolve("a.db"), space, "main"))
          .isEqualTo(DocDigest.ofEncoded(cart));
      assertThat(localDigest(dir.resolve("a.db"), space, "n1"))
          .isEqualTo(DocDigest.ofEncoded(note));
    }
  }

  private static Connection postgres() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:" + TestServer.databaseUrl(),
        TestServer.databaseUser(),
        TestServer.databasePassword());
  }

  private static String serverState(String space, String docId) throws SQLException {
    try (Connection c = postgres();
        PreparedStatement ps =
            c.prepareStatement("select state from doc_state where space = ? and doc_id = ?")) {
      ps.setString(1, space);
      ps.setString(2, docId);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("doc_state row of %s", docId).isTrue();
        return rs.getString(1);
      }
    }
  }

  private static void updateState(String space, String docId, String state) throws SQLException {
    try (Connection c = postgres();
        PreparedStatement ps =
            c.prepareStatement("update doc_state set state = ? where space = ? and doc_id = ?")) {
      ps.setString(1, state);
      ps.setString(2, space);
      ps.setString(3, docId);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  private static long logRows(String space) throws SQLException {
    try (Connection c = postgres();
        PreparedStatement ps =
            c.prepareStatement("select count(*) from change_log where space = ?")) {
      ps.setString(1, space);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static DocDigest localDigest(Path file, String space, String docId) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        PreparedStatement ps =
            c.prepareStatement("SELECT state FROM documents WHERE space = ? AND doc_id = ?")) {
      ps.setString(1, space);
      ps.setString(2, docId);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return DocDigest.ofEncoded(rs.getString(1));
      }
    }
  }

  /** Returns the value of the anti-entropy counter {@code name} with the tag {@code tag}. */
  static double counter(TestServer.Node node, String name, String tag) {
    return counter(node.uri(), name, tag);
  }

  /** Returns the value of the anti-entropy counter {@code name} with {@code tag} at {@code uri}. */
  static double counter(java.net.URI uri, String name, String tag) {
    String metrics = given().baseUri(uri.toString()).get("/q/metrics").then().extract().asString();
    Matcher m =
        Pattern.compile(
                "converge_antientropy_"
                    + Pattern.quote(name)
                    + "\\{[^}]*"
                    + Pattern.quote(tag)
                    + "[^}]*} (\\S+)")
            .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
