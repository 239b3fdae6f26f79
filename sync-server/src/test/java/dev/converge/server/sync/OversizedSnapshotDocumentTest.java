package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A document bigger than the frame limit cannot go into any {@code snapshot} frame: the session
 * says so with {@code snapshot_too_large} and stops serving the space, instead of skipping the
 * document or resending it forever; REST, which has no frame limit, still serves it.
 */
@QuarkusTest
@TestProfile(OversizedSnapshotDocumentTest.SmallFrames.class)
class OversizedSnapshotDocumentTest {

  /** Frames of at most 256 KiB both ways. */
  public static final class SmallFrames implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "converge.sync.max-frame-bytes", "262144", "converge.sync.snapshot-page-bytes", "65536");
    }
  }

  @TestHTTPResource("/")
  URI server;

  @Inject Maintenance maintenance;

  @Test
  void documentBiggerThanAFrame_getsACodedError_andTheSpaceIsNotServedFurther() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "p-" + alice;
    String token = TestTokens.mint(alice);
    Document small = new Document();
    Document big = new Document();
    long seq = 0;
    try (WsClient writer = WsClient.connect(server, token)) {
      writer.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      writer.expect(Message.Welcome.class);
      writer.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      replica,
                      ++seq,
                      space,
                      "notes",
                      "a-small",
                      new Hlc(1, 0),
                      small.writeRegister(
                          replica, List.of("text"), TextNode.valueOf("hello"), new Hlc(1, 0))))));
      writer.await(Message.Ack.class);
      // Each push fits a frame; together they make a document that does not.
      for (int push = 0; push < 2; push++) {
        for (int field = 0; field < 3; field++) {
          Hlc hlc = new Hlc(10 + seq, 0);
          writer.send(
              new Message.Push(
                  List.of(
                      new Changeset(
                          replica,
                          ++seq,
                          space,
                          "notes",
                          "big",
                          hlc,
                          big.writeRegister(
                              replica,
                              List.of("f" + push + field),
                              TextNode.valueOf("x".repeat(60_000)),
                              hlc)))));
          assertThat(writer.await(Message.Ack.class).upToSeq()).isEqualTo(seq);
        }
      }
    }
    assertThat(WsClient.CODEC.encodeDocument(big).length()).isGreaterThan(262_144);
    maintenance.compact(space, Duration.ZERO).await().atMost(Duration.ofSeconds(30));

    try (WsClient late = WsClient.connect(server, token)) {
      late.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "late-" + alice,
              List.of(new MessageParts.Subscription(space, 0))));
      late.expect(Message.Welcome.class);
      Message.Snapshot first = late.expect(Message.Snapshot.class);
      assertThat(first.docs())
          .extracting(MessageParts.SnapshotDoc::docId)
          .containsExactly("a-small");
      assertThat(first.more()).isTrue();
      Message.Error error = late.expect(Message.Error.class);
      assertThat(error.code()).isEqualTo("snapshot_too_large");
      assertThat(error.message()).contains("notes/big");
      // Past a head poll: nothing is resent, and the socket stays open.
      assertThat(late.received.poll(7, TimeUnit.SECONDS)).isNull();
      assertThat(late.closed).isNotDone();
    }

    String page =
        given()
            .auth()
            .oauth2(token)
            .queryParam("limit", 1)
            .when()
            .get("/v1/spaces/{space}/snapshot", space)
            .then()
            .statusCode(200)
            .body("docs", hasSize(1))
            .extract()
            .path("next");
    given()
        .auth()
        .oauth2(token)
        .queryParam("page", page)
        .when()
        .get("/v1/spaces/{space}/snapshot", space)
        .then()
        .statusCode(200)
        .body("docs", hasSize(1))
        .body("docs[0].docId", equalTo("big"))
        .body("next", nullValue());
  }
}
