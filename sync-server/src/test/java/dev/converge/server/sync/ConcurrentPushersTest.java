package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Eight connections push thousands of changesets into one space at once, while a reader follows the
 * space live: the reader must see every serverSeq exactly once, in order, with no gap behind its
 * cursor, and the merged state must equal the join of everything pushed.
 */
@QuarkusTest
class ConcurrentPushersTest {

  private static final int PUSHERS = 8;
  private static final int CHANGESETS_PER_PUSHER = 300;
  private static final int BATCH = 20;
  private static final List<String> DOCS = List.of("main", "wishlist", "saved");

  @TestHTTPResource("/")
  URI server;

  @Test
  void concurrentPushers_readerSeesNoGapNorReorder_andStateEqualsJoinOfAllDeltas()
      throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    int total = PUSHERS * CHANGESETS_PER_PUSHER;

    try (WsClient reader = WsClient.connect(server, TestTokens.mint(alice))) {
      reader.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "reader-" + alice,
              List.of(new MessageParts.Subscription(space, 0))));
      reader.expect(Message.Welcome.class);

      ExecutorService pool = Executors.newFixedThreadPool(PUSHERS);
      List<Future<Map<String, Document>>> pushed = new ArrayList<>();
      for (int p = 0; p < PUSHERS; p++) {
        int pusher = p;
        pushed.add(pool.submit(() -> push(alice, space, "pusher-" + pusher + "-" + alice, pusher)));
      }
      Map<String, Document> expected = new HashMap<>();
      for (Future<Map<String, Document>> result : pushed) {
        result
            .get(120, TimeUnit.SECONDS)
            .forEach(
                (doc, delta) -> expected.computeIfAbsent(doc, d -> new Document()).join(delta));
      }
      pool.shutdown();

      Map<String, Document> received = new HashMap<>();
      long cursor = 0;
      while (cursor < total) {
        Message.Changes changes = reader.expect(Message.Changes.class);
        assertThat(changes.from()).as("page starts at the cursor").isEqualTo(cursor);
        // Items are single changes or delta-groups of one document (fromSeq..serverSeq), in order.
        long previous = cursor;
        for (MessageParts.ChangeItem item : changes.items()) {
          assertThat(item.fromSeq()).as("no change from behind the cursor").isGreaterThan(cursor);
          assertThat(item.serverSeq())
              .as("in order")
              .isGreaterThan(previous)
              .isLessThanOrEqualTo(changes.to());
          previous = item.serverSeq();
          received.computeIfAbsent(item.docId(), d -> new Document()).join(item.delta().document());
        }
        assertThat(previous).as("the page ends with its last change").isEqualTo(changes.to());
        cursor = changes.to();
      }
      assertThat(cursor).isEqualTo(total);
      assertThat(received).isEqualTo(expected);

      ProtocolCodec codec = new ProtocolCodec();
      for (String doc : DOCS) {
        String state =
            given()
                .auth()
                .oauth2(TestTokens.mint(alice))
                .when()
                .get("/v1/spaces/{space}/documents/carts/{doc}", space, doc)
                .then()
                .statusCode(200)
                .extract()
                .body()
                .asString();
        assertThat(codec.decodeDocument(codec.parse(state).get("state"), "$"))
            .isEqualTo(expected.get(doc));
      }
    }
  }

  /**
   * Pushes this pusher's changesets in pipelined batches; returns the join of its deltas per
   * document.
   */
  private Map<String, Document> push(String alice, String space, String replica, int seed)
      throws Exception {
    Random random = new Random(seed);
    Map<String, Document> local = new HashMap<>();
    Map<String, Document> joined = new HashMap<>();
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      client.expect(Message.Welcome.class);
      long seq = 0;
      while (seq < CHANGESETS_PER_PUSHER) {
        List<Changeset> batch = new ArrayList<>();
        for (int i = 0; i < BATCH && seq < CHANGESETS_PER_PUSHER; i++) {
          String docId = DOCS.get(random.nextInt(DOCS.size()));
          Document doc = local.computeIfAbsent(docId, d -> new Document());
          String sku = "sku-" + random.nextInt(20);
          Document delta =
              random.nextInt(5) == 0
                  ? Cart.of(doc).remove(sku)
                  : Cart.of(doc).add(replica, sku, 1 + random.nextInt(3));
          joined.computeIfAbsent(docId, d -> new Document()).join(delta);
          batch.add(
              new Changeset(replica, ++seq, space, "carts", docId, new Hlc(1_000 + seq, 0), delta));
        }
        client.send(new Message.Push(batch));
      }
      long acked = 0;
      while (acked < CHANGESETS_PER_PUSHER) {
        Message.Ack ack = client.await(Message.Ack.class);
        assertThat(ack.upToSeq()).isGreaterThan(acked);
        acked = ack.upToSeq();
      }
    }
    return joined;
  }
}
