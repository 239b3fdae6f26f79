package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client behind the retained log catches up through snapshot pages, then live changes. */
@QuarkusTest
class SnapshotTest {

  @TestHTTPResource("/")
  URI server;

  @Inject Maintenance maintenance;

  @Test
  void cursorBehindTheRetainedLog_getsSnapshotPages_thenChangesFromTheHead() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "p-" + alice;
    Map<String, Document> docs = new HashMap<>();
    List<Changeset> changesets = new ArrayList<>();
    // 250 documents: more than two snapshot pages of 100.
    for (int i = 0; i < 250; i++) {
      Document doc = docs.computeIfAbsent(String.format("cart-%03d", i), d -> new Document());
      changesets.add(
          new Changeset(
              replica,
              i + 1,
              space,
              "carts",
              String.format("cart-%03d", i),
              new Hlc(1 + i, 0),
              Cart.of(doc).add(replica, "sku", 1 + i % 3)));
    }
    try (WsClient writer = WsClient.connect(server, TestTokens.mint(alice))) {
      writer.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      writer.expect(Message.Welcome.class);
      writer.send(new Message.Push(changesets));
      assertThat(writer.await(Message.Ack.class).upToSeq()).isEqualTo(250);
    }
    assertThat(maintenance.compact(space, Duration.ZERO).await().atMost(Duration.ofSeconds(30)))
        .isEqualTo(250);

    given()
        .auth()
        .oauth2(TestTokens.mint(alice))
        .queryParam("since", 10)
        .when()
        .get("/v1/spaces/{space}/changes", space)
        .then()
        .statusCode(410)
        .body("code", equalTo("snapshot_required"));

    try (WsClient late = WsClient.connect(server, TestTokens.mint(alice))) {
      late.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "late-" + alice,
              List.of(new MessageParts.Subscription(space, 10))));
      late.expect(Message.Welcome.class);
      Map<String, Document> received = new HashMap<>();
      Message.Snapshot page;
      int pages = 0;
      do {
        page = late.expect(Message.Snapshot.class);
        pages++;
        assertThat(page.head()).isEqualTo(250);
        page.docs().forEach(d -> received.put(d.docId(), d.state().document()));
      } while (page.more());
      assertThat(pages).isEqualTo(3);
      assertThat(received).isEqualTo(docs);

      // After the snapshot, live changes continue from its head.
      try (WsClient writer = WsClient.connect(server, TestTokens.mint(alice))) {
        writer.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
        writer.expect(Message.Welcome.class);
        writer.send(
            new Message.Push(
                List.of(
                    new Changeset(
                        replica,
                        251,
                        space,
                        "carts",
                        "cart-000",
                        new Hlc(999, 0),
                        Cart.of(docs.get("cart-000")).add(replica, "more", 1)))));
        writer.await(Message.Ack.class);
      }
      Message.Changes changes = late.expect(Message.Changes.class);
      assertThat(changes.from()).isEqualTo(250);
      assertThat(changes.items())
          .extracting(MessageParts.ChangeItem::serverSeq)
          .containsExactly(251L);
    }
  }
}
