package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Snapshot pages are sized by bytes, and a REST snapshot describes one state at one head: a client
 * that reads every page and then pulls the changes after that head ends equal to the server, even
 * when changes commit between its pages.
 */
@QuarkusTest
class SnapshotPagingTest {

  private static final int DOCS = 24;

  /** Each document holds one string this long: a few documents fill a page's byte budget. */
  private static final int TEXT_CHARS = 60_000;

  @TestHTTPResource("/")
  URI server;

  @Inject Maintenance maintenance;

  @ConfigProperty(name = "converge.sync.snapshot-page-bytes")
  long pageBytes;

  private String alice;
  private String space;
  private String replica;
  private String token;
  private final Map<String, Document> devices = new TreeMap<>();
  private long seq;
  private int hlc;

  @BeforeEach
  void spaceWithLargeDocuments() throws Exception {
    alice = TestTokens.subject("alice");
    space = "user:" + alice;
    replica = "p-" + alice;
    token = TestTokens.mint(alice);
    List<Changeset> batch = new ArrayList<>();
    for (int i = 0; i < DOCS; i++) {
      batch.add(
          write(String.format("doc-%03d", i), String.valueOf((char) ('a' + i)).repeat(TEXT_CHARS)));
      if (batch.size() == 8) {
        push(batch);
        batch.clear();
      }
    }
  }

  private Changeset write(String docId, String text) {
    Document doc = devices.computeIfAbsent(docId, d -> new Document());
    Document delta =
        doc.writeRegister(
            replica, List.of("text"), TextNode.valueOf(text), new Hlc(1_000 + ++hlc, 0));
    return new Changeset(replica, ++seq, space, "notes", docId, new Hlc(1_000 + hlc, 0), delta);
  }

  private void push(List<Changeset> changesets) throws Exception {
    try (WsClient writer = WsClient.connect(server, token)) {
      writer.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      writer.expect(Message.Welcome.class);
      writer.send(new Message.Push(changesets));
      assertThat(writer.await(Message.Ack.class).upToSeq()).isEqualTo(seq);
    }
  }

  @Test
  void restSnapshot_keepsItsFirstHead_andAClientFollowingIt_losesNoChangeCommittedBetweenPages()
      throws Exception {
    Map<String, Document> client = new TreeMap<>();
    JsonNode page = snapshotPage(null);
    long head = page.get("head").asLong();
    assertThat(head).isEqualTo(DOCS);
    readDocs(page, client);
    assertThat(client).containsOnlyKeys("doc-000", "doc-001", "doc-002", "doc-003");

    // Between pages: a document already sent changes, one not yet sent changes, one is created
    // before the position.
    push(
        List.of(
            write("doc-000", "changed after page one"),
            write("doc-020", "changed too"),
            write("aaa", "created")));

    int pages = 1;
    while (page.hasNonNull("next")) {
      page = snapshotPage(page.get("next").asText());
      pages++;
      assertThat(page.get("head").asLong())
          .as("every page reports the first page's head")
          .isEqualTo(head);
      readDocs(page, client);
    }
    assertThat(pages).isGreaterThan(1);

    JsonNode changes =
        WsClient.CODEC
            .forStoredData()
            .parse(
                given()
                    .auth()
                    .oauth2(token)
                    .queryParam("since", head)
                    .when()
                    .get("/v1/spaces/{space}/changes", space)
                    .then()
                    .statusCode(200)
                    .extract()
                    .body()
                    .asString());
    for (JsonNode item : changes.get("items")) {
      client
          .computeIfAbsent(item.get("docId").asText(), d -> new Document())
          .join(WsClient.CODEC.decodeDocument(item.get("delta"), "$"));
    }
    assertThat(client).isEqualTo(devices);
  }

  @Test
  void restSnapshotPages_stayWithinTheByteBudget() throws Exception {
    Set<String> seen = new HashSet<>();
    JsonNode page = null;
    int pages = 0;
    do {
      String body =
          given()
              .auth()
              .oauth2(token)
              .queryParam("page", page == null ? "" : page.get("next").asText())
              .when()
              .get("/v1/spaces/{space}/snapshot", space)
              .then()
              .statusCode(200)
              .extract()
              .body()
              .asString();
      page = WsClient.CODEC.forStoredData().parse(body);
      pages++;
      assertThat((long) body.getBytes(StandardCharsets.UTF_8).length)
          .isLessThanOrEqualTo(pageBytes + 200);
      page.get("docs").forEach(d -> assertThat(seen.add(d.get("docId").asText())).isTrue());
    } while (page.hasNonNull("next"));
    assertThat(seen).hasSize(DOCS);
    assertThat(pages).isGreaterThanOrEqualTo((int) (DOCS * (long) TEXT_CHARS / pageBytes));
  }

  @Test
  void webSocketSnapshotFrames_stayWithinTheByteBudget_andTheCursorContinuesFromTheirHead()
      throws Exception {
    assertThat(maintenance.compact(space, Duration.ZERO).await().atMost(Duration.ofSeconds(30)))
        .isEqualTo(DOCS);
    try (WsClient late = WsClient.connect(server, token)) {
      late.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "late-" + alice,
              List.of(new MessageParts.Subscription(space, 1))));
      late.expect(Message.Welcome.class);
      Map<String, Document> received = new TreeMap<>();
      Message.Snapshot snapshot;
      int pages = 0;
      do {
        snapshot = late.expect(Message.Snapshot.class);
        pages++;
        assertThat(snapshot.head()).isEqualTo(DOCS);
        snapshot.docs().forEach(d -> received.put(d.docId(), d.state().document()));
      } while (snapshot.more());
      assertThat(received).isEqualTo(devices);
      assertThat(pages).isGreaterThan(1);
      // Frame 0 is the welcome; every snapshot frame stays within the budget plus its header.
      late.frameBytes
          .subList(1, 1 + pages)
          .forEach(bytes -> assertThat((long) bytes).isLessThanOrEqualTo(pageBytes + 200));

      push(List.of(write("doc-005", "after the snapshot")));
      Message.Changes changes = late.expect(Message.Changes.class);
      assertThat(changes.from()).isEqualTo(DOCS);
      assertThat(changes.items())
          .extracting(MessageParts.ChangeItem::docId)
          .containsExactly("doc-005");
    }
  }

  @Test
  void pageTokensThatAreNotThisSnapshotsAreRefused() {
    String next = snapshotPage(null).get("next").asText();
    String otherSpace =
        "{\"v\":1,\"space\":\"user:someone-else\",\"head\":1,\"c\":\"notes\",\"d\":\"doc-000\"}";
    String beyondHead =
        "{\"v\":1,\"space\":\""
            + space
            + "\",\"head\":"
            + (DOCS + 1)
            + ",\"c\":\"notes\",\"d\":\"doc-000\"}";
    for (String bad :
        List.of(
            "garbage!",
            next.substring(0, next.length() / 2),
            base64("not json"),
            base64(otherSpace),
            base64(beyondHead))) {
      given()
          .auth()
          .oauth2(token)
          .queryParam("page", bad)
          .when()
          .get("/v1/spaces/{space}/snapshot", space)
          .then()
          .statusCode(400)
          .body("code", equalTo("invalid"));
    }
  }

  @Test
  void pageTokenOfAHeadTheLogNoLongerHolds_asksForANewSnapshot() throws Exception {
    String next = snapshotPage(null).get("next").asText();
    // A change after the snapshot's head, then compaction past it: the log cannot continue from
    // that head.
    push(List.of(write("doc-001", "later")));
    assertThat(maintenance.compact(space, Duration.ZERO).await().atMost(Duration.ofSeconds(30)))
        .isEqualTo(DOCS + 1);
    given()
        .auth()
        .oauth2(token)
        .queryParam("page", next)
        .when()
        .get("/v1/spaces/{space}/snapshot", space)
        .then()
        .statusCode(410)
        .body("code", equalTo("snapshot_required"));
  }

  private JsonNode snapshotPage(String page) {
    var request = given().auth().oauth2(token);
    if (page != null) {
      request = request.queryParam("page", page);
    }
    String body =
        request
            .when()
            .get("/v1/spaces/{space}/snapshot", space)
            .then()
            .statusCode(200)
            .extract()
            .body()
            .asString();
    try {
      return WsClient.CODEC.forStoredData().parse(body);
    } catch (Exception e) {
      throw new AssertionError(body, e);
    }
  }

  private static void readDocs(JsonNode page, Map<String, Document> into) {
    for (JsonNode doc : page.get("docs")) {
      into.put(doc.get("docId").asText(), WsClient.CODEC.decodeDocument(doc.get("state"), "$"));
    }
  }

  private static String base64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
