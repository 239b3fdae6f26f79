package dev.converge.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.converge.core.crdt.Document;
import dev.converge.core.digest.DocDigest;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentHandle;
import dev.converge.sdk.FieldPolicy;
import dev.converge.sdk.Schema;
import dev.converge.sdk.SyncClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Anti-entropy end to end (docs/protocol-2.md, "Digests"), the real SDK on SQLite against the
 * packaged server and PostgreSQL, with a digest interval of {@value #INTERVAL_SECONDS} s: a device
 * whose file was damaged is repaired from the server without pushing anything, and a server that
 * lost a device's acknowledged writes gets them back from the device, once.
 */
class SdkDigestRepairTest {

  private static final int INTERVAL_SECONDS = 2;
  private static final Duration INTERVAL = Duration.ofSeconds(INTERVAL_SECONDS);

  /** Two intervals, plus the connect and catch-up of a reopened client. */
  private static final Duration REPAIRED = INTERVAL.multipliedBy(2).plusSeconds(3);

  private static final ProtocolCodec CODEC = new ProtocolCodec();
  private static final Schema NOTE =
      Schema.builder().field("title", FieldPolicy.REGISTER_LWW).build();

  private final URI server = TestServer.uri();
  private String space;
  private Path dir;
  private Devices devices;

  @BeforeEach
  void aSpace() throws Exception {
    String alice = TestTokens.subject("digest");
    space = "user:" + alice;
    dir = Files.createTempDirectory("converge-digest");
    devices = new Devices(server, dir, TestTokens.mint(alice));
  }

  @AfterEach
  void closeDevices() {
    devices.close();
  }

  private SyncClient open(String file) {
    SyncClient client =
        SyncClient.builder()
            .databasePath(dir.resolve(file))
            .serverUri(
                URI.create(server.toString().replaceFirst("^http", "ws")).resolve("/v1/sync"))
            .tokenSupplier(devices.token::get)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .digestInterval(INTERVAL)
            .subscribe(space)
            .build()
            .connect();
    return client;
  }

  private static Connection postgres() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:" + TestServer.databaseUrl(),
        TestServer.databaseUser(),
        TestServer.databasePassword());
  }

  private long logRows(String docId) throws SQLException {
    try (Connection c = postgres();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from change_log where space = ? and (? = '' or doc_id = ?)")) {
      ps.setString(1, space);
      ps.setString(2, docId);
      ps.setString(3, docId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private String localState(String docId) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("a.db"));
        PreparedStatement ps =
            c.prepareStatement("SELECT state FROM documents WHERE space = ? AND doc_id = ?")) {
      ps.setString(1, space);
      ps.setString(2, docId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private String serverTitle(String docId) {
    return given()
        .baseUri(server.toString())
        .auth()
        .oauth2(devices.token.get())
        .get("/v1/spaces/{space}/documents/notes/{doc}", space, docId)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getString("value.title");
  }

  /** The server's count of documents repaired in {@code direction} (e.g. {@code to_device}). */
  private double repaired(String direction) {
    return SdkServerStateRepairTest.counter(
        server, "repaired_documents_total", "direction=\"" + direction + "\"");
  }

  @Test
  void damagedDeviceFile_isRepairedFromTheServer_withinTwoIntervals_pushingNothing()
      throws Exception {
    SyncClient device = open("a.db");
    device.cart(space, "main").add("apple", 2);
    device.cart(space, "main").add("pear", 1);
    device.document(space, "notes", "n1", NOTE).set("title", "Ada");
    device.syncNow(Devices.SYNCED).join();
    device.close();
    // The same state has the same digest on both sides.
    try (Connection c = postgres();
        PreparedStatement ps =
            c.prepareStatement(
                "select state, h1, h2 from doc_state where space = ? and doc_id = 'main'")) {
      ps.setString(1, space);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(new DocDigest(rs.getLong(2), rs.getLong(3)))
            .isEqualTo(DocDigest.ofEncoded(localState("main")));
      }
    }
    long logBefore = logRows("");

    // A damaged file: the pear dropped from the cart (its dot still in the context, so no join
    // would bring it back) and the title's value altered; the digest column left as it was.
    Document cart = CODEC.forStoredData().decodeDocument(localState("main"));
    cart.remove(List.of("items", "pear"));
    String damagedCart = CODEC.encodeDocument(cart);
    String damagedNote = localState("n1").replace("\"Ada\"", "\"Eve\"");
    assertThat(damagedNote).isNotEqualTo(localState("n1"));
    devices.sql(
        "a.db",
        "UPDATE documents SET state = '"
            + damagedCart.replace("'", "''")
            + "' WHERE doc_id = 'main'",
        "UPDATE documents SET state = '"
            + damagedNote.replace("'", "''")
            + "' WHERE doc_id = 'n1'");

    double toDevice = repaired("to_device");
    SyncClient reopened = open("a.db");
    assertThat(reopened.cart(space, "main").quantity("pear")).isZero();
    DocumentHandle note = reopened.document(space, "notes", "n1", NOTE);
    assertThat(note.get("title")).contains("Eve");
    await()
        .atMost(REPAIRED)
        .untilAsserted(
            () -> {
              assertThat(reopened.cart(space, "main").quantity("pear")).isEqualTo(1);
              assertThat(reopened.cart(space, "main").quantity("apple")).isEqualTo(2);
              assertThat(note.get("title")).contains("Ada");
            });
    assertThat(devices.serverCart(space, "main")).isEqualTo(Map.of("apple", 2L, "pear", 1L));
    assertThat(serverTitle("n1")).isEqualTo("Ada");
    assertThat(reopened.status().repairedDocuments()).isGreaterThanOrEqualTo(2);
    // Counted on the server once the device's following exchange found both equal.
    await().atMost(REPAIRED).until(() -> repaired("to_device") == toDevice + 2);
    assertThat(reopened.status().foreignEntriesDropped()).isZero();
    assertThat(reopened.status().pendingChanges()).isZero();
    // Nothing was pushed: the damage never reached the server.
    assertThat(logRows("")).isEqualTo(logBefore);
  }

  @Test
  void ownAckedWritesTheServerLost_arePushedBack_once() throws Exception {
    SyncClient device = open("a.db");
    device.cart(space, "lost").add("fig", 3);
    device.cart(space, "kept").add("kiwi", 1);
    device.syncNow(Devices.SYNCED).join();
    long written = logRows("lost");
    assertThat(written).isPositive();
    // The server loses the document: its log rows and its state.
    try (Connection c = postgres()) {
      for (String table : List.of("change_log", "doc_state")) {
        try (PreparedStatement ps =
            c.prepareStatement("delete from " + table + " where space = ? and doc_id = 'lost'")) {
          ps.setString(1, space);
          assertThat(ps.executeUpdate()).isPositive();
        }
      }
    }
    assertThat(logRows("lost")).isZero();
    double toServer = repaired("to_server");

    await()
        .atMost(REPAIRED)
        .untilAsserted(
            () ->
                assertThat(devices.serverCart(space, "lost"))
                    .as("server cart; device status %s", device.status())
                    .isEqualTo(Map.of("fig", 3L)));
    await().atMost(REPAIRED).until(() -> device.status().pendingChanges() == 0);
    // One changeset brought the writes back; later rounds find nothing more to repair.
    Thread.sleep(INTERVAL.multipliedBy(2).toMillis());
    assertThat(logRows("lost")).isEqualTo(1);
    assertThat(repaired("to_server")).isEqualTo(toServer + 1);
    assertThat(device.cart(space, "lost").quantity("fig")).isEqualTo(3);
    assertThat(devices.serverCart(space, "kept")).isEqualTo(Map.of("kiwi", 1L));
    device.close();
    assertThat(DocDigest.ofEncoded(localState("lost"))).isNotNull();
  }
}
