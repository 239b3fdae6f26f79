package dev.converge.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentHandle;
import dev.converge.sdk.FieldPolicy;
import dev.converge.sdk.Schema;
import dev.converge.sdk.SyncClient;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded counters end to end (issue 10, the small version of its acceptance): ten real SDK devices
 * online in one space increment one counter 200 times each, one changeset per increment; once they
 * are idle, the server's counter and every device's stored copy hold one run per replica, with the
 * exact sum. Nothing is coalesced on the devices: the runs come from the server's compaction,
 * fanned out as a change. The packaged server compacts every second here ({@link TestServer}).
 */
class SdkBoundedCounterTest {

  private static final int DEVICES = 10;
  private static final int INCREMENTS = 200;
  private static final String COLLECTION = "counters";
  private static final String DOC = "views";
  private static final Schema SCHEMA = Schema.builder().field("views", FieldPolicy.COUNTER).build();
  private static final ProtocolCodec STORED = new ProtocolCodec().forStoredData();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static URI server;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() {
    server = TestServer.uri();
  }

  @Test
  void tenOnlineDevices_incrementingOneCounter_leaveOneRunPerReplica_onTheServerAndEveryDevice()
      throws Exception {
    String subject = TestTokens.subject("counter");
    String space = "team:" + subject;
    List<String> replicas = new ArrayList<>();
    long serverHead;
    try (Devices devices =
        new Devices(server, dir, TestTokens.mint(subject, List.of(space), Duration.ofHours(1)))) {
      List<SyncClient> clients = new ArrayList<>();
      List<DocumentHandle> counters = new ArrayList<>();
      for (int i = 0; i < DEVICES; i++) {
        SyncClient client = devices.open("device" + i + ".db", space);
        clients.add(client);
        replicas.add(client.replicaId());
        counters.add(client.document(space, COLLECTION, DOC, SCHEMA));
      }
      for (int round = 0; round < INCREMENTS; round++) {
        for (DocumentHandle counter : counters) {
          counter.increment("views", 1);
        }
      }
      long total = (long) DEVICES * INCREMENTS;
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                for (int i = 0; i < DEVICES; i++) {
                  assertThat(clients.get(i).status().pendingChanges()).isZero();
                  assertThat(counters.get(i).counter("views")).isEqualTo(total);
                }
                Document stored = serverState(space);
                assertThat(entries(stored))
                    .extracting(CounterEntry::replica)
                    .containsExactlyInAnyOrderElementsOf(replicas);
              });
      Document stored = serverState(space);
      assertThat(entries(stored)).allMatch(CounterEntry::isRun);
      assertThat(views(stored).value()).isEqualTo(total);
      serverHead = serverHeadSeq(space);
      // Every device receives the compaction entries: its cursor passes the document's head.
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                for (SyncClient client : clients) {
                  assertThat(client.status().spaces().get(space).cursor())
                      .isGreaterThanOrEqualTo(serverHead);
                }
              });
    }
    for (int i = 0; i < DEVICES; i++) {
      Document onDevice = deviceState(dir.resolve("device" + i + ".db"), space);
      assertThat(entries(onDevice))
          .as("device %d holds one run per replica", i)
          .extracting(CounterEntry::replica)
          .containsExactlyInAnyOrderElementsOf(replicas);
      assertThat(views(onDevice).value()).isEqualTo((long) DEVICES * INCREMENTS);
    }
  }

  private static CounterValue views(Document doc) {
    return doc.get(List.of("views"), CounterValue.class).orElseThrow();
  }

  private static List<CounterEntry> entries(Document doc) {
    return doc.get(List.of("views"), CounterValue.class)
        .map(c -> List.copyOf(c.entries().values()))
        .orElse(List.of());
  }

  /** The server's view of the counter document: {@code state} and {@code headSeq}. */
  private static JsonNode serverView(String space) throws Exception {
    String subject = space.substring("team:".length());
    String body =
        given()
            .auth()
            .oauth2(TestTokens.mint(subject, List.of(space), Duration.ofMinutes(5)))
            .get("/v1/spaces/{space}/documents/{collection}/{docId}", space, COLLECTION, DOC)
            .then()
            .statusCode(200)
            .extract()
            .asString();
    return JSON.readTree(body);
  }

  private static Document serverState(String space) throws Exception {
    return STORED.decodeDocument(serverView(space).get("state").toString());
  }

  private static long serverHeadSeq(String space) throws Exception {
    return serverView(space).get("headSeq").asLong();
  }

  /** Reads a closed client's stored copy of the counter document. */
  private static Document deviceState(Path file, String space) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT state FROM documents WHERE space = ? AND collection = ? AND doc_id = ?")) {
      ps.setString(1, space);
      ps.setString(2, COLLECTION);
      ps.setString(3, DOC);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return STORED.decodeDocument(rs.getString(1));
      }
    }
  }
}
