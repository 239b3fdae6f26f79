package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.policy.Profile;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who may write what, against the real server and PostgreSQL: a read-only member receives a space's
 * changes but each of its pushes is consumed with {@code read_only} (WebSocket and REST), and the
 * default write rules refuse type squatting in carts and profiles. Each refusal leaves a
 * context-only entry of the pusher's own dots, fanned out to every member.
 */
@QuarkusTest
class AccessControlTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();

  @TestHTTPResource("/")
  URI server;

  private String writer;
  private String reader;
  private String space;
  private String writerReplica;
  private String readerReplica;

  @BeforeEach
  void sharedSpace() {
    writer = TestTokens.subject("writer");
    reader = TestTokens.subject("reader");
    space = "team:" + writer;
    writerReplica = "writerPhone" + Math.abs(writer.hashCode());
    readerReplica = "readerPhone" + Math.abs(reader.hashCode());
  }

  private String token(String subject, String role) {
    return TestTokens.mintRoles(subject, Map.of(space, role), List.of());
  }

  private WsClient session(String subject, String role, String replica)
      throws InterruptedException {
    WsClient client = WsClient.connect(server, token(subject, role));
    client.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            replica,
            List.of(new MessageParts.Subscription(space, 0)),
            null));
    Message.Welcome welcome = client.await(Message.Welcome.class);
    assertThat(welcome.spaces()).extracting(MessageParts.SpaceHead::space).containsExactly(space);
    return client;
  }

  private Changeset changeset(String replica, long seq, String collection, Document delta) {
    return new Changeset(replica, seq, space, collection, "main", new Hlc(1000, (int) seq), delta);
  }

  private static Message.Changes changes(WsClient client) throws InterruptedException {
    return client.await(Message.Changes.class);
  }

  /** Skips {@code changes} frames until the one that ends at {@code serverSeq}. */
  private static Message.Changes changesTo(WsClient client, long serverSeq)
      throws InterruptedException {
    while (true) {
      Message.Changes changes = client.await(Message.Changes.class);
      if (changes.to() >= serverSeq) {
        return changes;
      }
    }
  }

  @Test
  void readOnlyMember_receivesChanges_butEveryPushIsConsumedAsReadOnly_onWebSocketAndRest()
      throws Exception {
    try (WsClient writerWs = session(writer, "write", writerReplica);
        WsClient readerWs = session(reader, "read", readerReplica)) {
      Document writerCart = new Document();
      writerWs.send(
          new Message.Push(
              List.of(
                  changeset(
                      writerReplica,
                      1,
                      "carts",
                      Cart.of(writerCart).add(writerReplica, "tea", 2)))));
      assertThat(writerWs.await(Message.Ack.class).results()).hasSize(1);
      Message.Changes seen = changes(readerWs);
      assertThat(seen.items())
          .singleElement()
          .satisfies(i -> assertThat(i.serverSeq()).isEqualTo(1));

      Document readerCart = new Document();
      readerCart.join(seen.items().get(0).delta().document());
      Document refusedDelta = Cart.of(readerCart).add(readerReplica, "gin", 5);
      readerWs.send(new Message.Push(List.of(changeset(readerReplica, 1, "carts", refusedDelta))));
      // The hole's `changes` may reach the reader before or between these replies: keep it.
      Message.Error error = readerWs.awaitSettingAside(Message.Error.class);
      assertThat(error.code()).isEqualTo("read_only");
      assertThat(error.ref()).isEqualTo(1);
      Message.Ack ack = readerWs.awaitSettingAside(Message.Ack.class);
      assertThat(ack.upToSeq()).as("consumed").isEqualTo(1);
      assertThat(ack.results()).as("not applied").isEmpty();

      // The refusal leaves a context-only entry of the reader's own dot, fanned out to everyone:
      // the reader's device joins it and drops the refused value; nothing of the writer is lost.
      Message.Changes hole = changesTo(writerWs, 2);
      assertThat(hole.items())
          .singleElement()
          .satisfies(
              i -> {
                assertThat(i.delta().document().root().isEmpty()).isTrue();
                assertThat(i.delta().document().context().contains(readerReplica, 1)).isTrue();
                assertThat(i.origin().replicaId()).isEqualTo(readerReplica);
              });
      readerCart.join(changes(readerWs).items().get(0).delta().document());
      assertThat(Cart.of(readerCart).items()).containsExactly(Map.entry("tea", 2L));
    }
    // REST: the same refusal, in the push's `rejected`, status 200 (consumed, not failed).
    Document delta = Cart.of(new Document()).add(readerReplica + "Rest", "rum", 1);
    given()
        .auth()
        .oauth2(token(reader, "read"))
        .contentType(ContentType.JSON)
        .body(
            "{\"changesets\":["
                + CODEC.encodeChangeset(changeset(readerReplica + "Rest", 1, "carts", delta))
                + "]}")
        .when()
        .post("/v1/changesets")
        .then()
        .statusCode(200)
        .body("upToSeq", equalTo(1))
        .body("results", hasSize(0))
        .body("rejected[0].code", equalTo("read_only"));
    // The reader still reads the space over REST.
    given()
        .auth()
        .oauth2(token(reader, "read"))
        .when()
        .get("/v1/spaces/{space}/documents/carts/main", space)
        .then()
        .statusCode(200)
        .body("value.items.tea.qty", equalTo(2))
        .body("value.items.size()", equalTo(1));
    // An unknown role grants nothing.
    given()
        .auth()
        .oauth2(TestTokens.mintRoles(reader, Map.of(space, "admin"), List.of()))
        .when()
        .get("/v1/spaces/{space}/documents/carts/main", space)
        .then()
        .statusCode(403);
  }

  @Test
  void typeSquatting_onACartsItems_orACounterInAProfile_isRefusedByTheDefaultRules()
      throws Exception {
    try (WsClient victimWs = session(writer, "write", writerReplica);
        WsClient squatter = session(reader, "write", readerReplica)) {
      Document squatterCart = new Document();
      Document squat =
          squatterCart.writeRegister(
              readerReplica, List.of("items"), TextNode.valueOf("not a map"), new Hlc(1000, 1));
      squatter.send(new Message.Push(List.of(changeset(readerReplica, 1, "carts", squat))));
      Message.Error error = squatter.await(Message.Error.class);
      assertThat(error.code()).isEqualTo("write_refused");
      assertThat(error.message()).contains("'items'").contains("reg");
      assertThat(squatter.await(Message.Ack.class).results()).isEmpty();

      // The victim's cart is untouched and still takes its items.
      Document victimCart = new Document();
      victimCart.join(
          changes(victimWs).items().get(0).delta().document()); // the context-only entry
      victimWs.send(
          new Message.Push(
              List.of(
                  changeset(
                      writerReplica,
                      1,
                      "carts",
                      Cart.of(victimCart).add(writerReplica, "tea", 1)))));
      assertThat(victimWs.await(Message.Ack.class).results()).hasSize(1);

      Document profile =
          Profile.of(new Document())
              .set(readerReplica, "name", TextNode.valueOf("Ada"), new Hlc(1000, 2));
      Document counter = new Document().addToCounter(readerReplica, List.of("age"), 41);
      squatter.send(
          new Message.Push(
              List.of(
                  changeset(readerReplica, 2, "profiles", profile),
                  new Changeset(
                      readerReplica, 3, space, "profiles", "other", new Hlc(1000, 3), counter))));
      Message.Error second = squatter.await(Message.Error.class);
      assertThat(second.code()).isEqualTo("write_refused");
      assertThat(second.ref()).isEqualTo(3);
      Message.Ack ack = squatter.await(Message.Ack.class);
      assertThat(ack.upToSeq()).isEqualTo(3);
      assertThat(ack.results()).extracting(MessageParts.AckResult::seq).containsExactly(2L);
    }
    given()
        .auth()
        .oauth2(token(writer, "write"))
        .when()
        .get("/v1/spaces/{space}/documents/carts/main", space)
        .then()
        .statusCode(200)
        .body("value.items.tea.qty", equalTo(1));
  }
}
