package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A document whose stored state legitimately grew past the input limit (the test profile lowers it
 * to 1 MiB) stays readable over REST, servable over WebSocket and writable by pushes.
 */
@QuarkusTest
class StoredStateLimitsTest {

  private static final int PUSHES = 5;

  /** The serverSeq of the push made into the grown document. */
  private static final int HEAD = PUSHES + 1;

  private static final int INCREMENTS_PER_PUSH = 25_000;

  @ConfigProperty(name = "converge.codec.max-entries", defaultValue = "100000")
  int entriesLimit;

  @TestHTTPResource("/")
  URI server;

  @Inject Maintenance maintenance;

  @ConfigProperty(name = "converge.codec.max-message-chars")
  int inputLimit;

  /**
   * The delta of {@code count} increments by one of counter {@code views}, with dots {@code
   * first..}: what a device sends after that many offline increments (built as text, since building
   * it one increment at a time costs quadratic time).
   */
  private static Document counterIncrements(String replica, long first, int count) {
    StringBuilder json = new StringBuilder("{\"s\":{\"views\":{\"t\":\"ctr\",\"e\":[");
    for (int i = 0; i < count; i++) {
      json.append(i == 0 ? "" : ",")
          .append("[\"")
          .append(replica)
          .append("\",")
          .append(first + i)
          .append(",1]");
    }
    // The context holds exactly these dots: a prefix would also cover (and so remove) earlier
    // increments.
    json.append("]}},\"c\":{\"").append(replica).append("\":[");
    if (first == 1) {
      json.append(count);
    } else {
      json.append(0);
      for (int i = 0; i < count; i++) {
        json.append(',').append(first + i);
      }
    }
    return WsClient.CODEC.decodeDocument(json.append("]}}").toString());
  }

  /**
   * The test's reader: it checks what the server serves, not what a device with input limits
   * accepts.
   */
  private static final ProtocolCodec READER = WsClient.CODEC.forStoredData();

  @Test
  void counterGrownPastTheInputLimit_staysReadableServableAndWritable() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "p-" + alice;
    Document device = new Document();
    long seq = 0;
    try (WsClient writer = WsClient.connect(server, TestTokens.mint(alice))) {
      writer.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      writer.expect(Message.Welcome.class);
      // Pushes, each within the input limits, whose join is not (in characters and entries).
      for (int push = 0; push < PUSHES; push++) {
        Document delta =
            counterIncrements(replica, push * INCREMENTS_PER_PUSH + 1, INCREMENTS_PER_PUSH);
        device.join(delta);
        Message.Push message =
            new Message.Push(
                List.of(
                    new Changeset(
                        replica, ++seq, space, "posts", "hello", new Hlc(1_000 + seq, 0), delta)));
        assertThat(WsClient.CODEC.encode(message).length()).isLessThan(inputLimit);
        writer.send(message);
        assertThat(writer.await(Message.Ack.class).upToSeq()).isEqualTo(seq);
      }
      assertThat(WsClient.CODEC.encodeDocument(device).length()).isGreaterThan(inputLimit);
      assertThat(PUSHES * INCREMENTS_PER_PUSH).isGreaterThan(entriesLimit);

      // A push into the grown document is applied, not answered with `internal`.
      Document one = device.addToCounter(replica, List.of("views"), 1);
      writer.send(
          new Message.Push(
              List.of(
                  new Changeset(replica, ++seq, space, "posts", "hello", new Hlc(2_000, 0), one))));
      Message.Ack ack = writer.await(Message.Ack.class);
      assertThat(ack.upToSeq()).isEqualTo(seq);
      assertThat(ack.results())
          .extracting(MessageParts.AckResult::serverSeq)
          .containsExactly((long) HEAD);
    }
    long total = (long) PUSHES * INCREMENTS_PER_PUSH + 1;

    String token = TestTokens.mint(alice);
    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/v1/spaces/{space}/documents/posts/hello", space)
        .then()
        .statusCode(200)
        .body("headSeq", equalTo(HEAD))
        .body("value.views", equalTo((int) total));
    String snapshot =
        given()
            .auth()
            .oauth2(token)
            .when()
            .get("/v1/spaces/{space}/snapshot", space)
            .then()
            .statusCode(200)
            .body("head", equalTo(HEAD))
            .extract()
            .body()
            .asString();
    assertThat(READER.decodeDocument(READER.parse(snapshot).get("docs").get(0).get("state"), "$"))
        .isEqualTo(device);
    given()
        .auth()
        .oauth2(token)
        .queryParam("since", 0)
        .when()
        .get("/v1/spaces/{space}/changes", space)
        .then()
        .statusCode(200)
        .body("to", equalTo(HEAD));

    // WebSocket catch-up from the log: the changes (grouped or not) rebuild the document.
    try (WsClient reader = WsClient.connect(server, token, READER)) {
      reader.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "r-" + alice,
              List.of(new MessageParts.Subscription(space, 0))));
      reader.expect(Message.Welcome.class);
      Document rebuilt = new Document();
      Message.Changes changes;
      do {
        changes = reader.expect(Message.Changes.class);
        changes.items().forEach(item -> rebuilt.join(item.delta().document()));
      } while (changes.to() < HEAD);
      assertThat(rebuilt).isEqualTo(device);
    }

    // WebSocket catch-up from a snapshot once the log is compacted.
    assertThat(maintenance.compact(space, Duration.ZERO).await().atMost(Duration.ofSeconds(30)))
        .isEqualTo(HEAD);
    try (WsClient late = WsClient.connect(server, token, READER)) {
      late.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "late-" + alice,
              List.of(new MessageParts.Subscription(space, 0))));
      late.expect(Message.Welcome.class);
      Message.Snapshot page = late.expect(Message.Snapshot.class);
      assertThat(page.head()).isEqualTo(HEAD);
      assertThat(page.more()).isFalse();
      assertThat(page.docs())
          .singleElement()
          .satisfies(doc -> assertThat(doc.state().document()).isEqualTo(device));
    }
  }
}
