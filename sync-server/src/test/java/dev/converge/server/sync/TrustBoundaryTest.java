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
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The trust boundary against the real server and PostgreSQL: a hostile member of a shared space can
 * neither erase, hide nor forge another member's writes (issue cases 1, 2, 3 and 5), each forgery
 * is refused with its code and consumed, and a re-keyed replica keeps its unsent writes.
 */
@QuarkusTest
class TrustBoundaryTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();

  @TestHTTPResource("/")
  URI server;

  private String victim;
  private String mallory;
  private String space;
  private String victimReplica;
  private String malloryReplica;

  @BeforeEach
  void sharedSpace() {
    victim = TestTokens.subject("victim");
    mallory = TestTokens.subject("mallory");
    space = "team:" + victim;
    victimReplica = "victimPhone" + victim.hashCode();
    malloryReplica = "malloryPhone" + mallory.hashCode();
  }

  private WsClient session(String subject, String replica, String predecessor)
      throws InterruptedException {
    WsClient client = WsClient.hello(server, subject, space, replica, null, predecessor, List.of());
    client.await(Message.Welcome.class);
    return client;
  }

  private static String push(
      String replica, long seq, String space, String docId, String deltaJson) {
    return "{\"type\":\"push\",\"changesets\":[{\"replicaId\":\""
        + replica
        + "\",\"seq\":"
        + seq
        + ",\"space\":\""
        + space
        + "\",\"collection\":\"carts\",\"docId\":\""
        + docId
        + "\",\"hlc\":\"1000:"
        + seq
        + "\",\"delta\":"
        + deltaJson
        + "}]}";
  }

  private static Message.Ack acked(WsClient client, long seq) throws InterruptedException {
    Message.Ack ack = client.await(Message.Ack.class);
    assertThat(ack.upToSeq()).isEqualTo(seq);
    return ack;
  }

  private static void refused(WsClient client, long seq, String code) throws InterruptedException {
    Message.Error error = client.await(Message.Error.class);
    assertThat(error.code()).isEqualTo(code);
    assertThat(error.ref()).isEqualTo(seq);
    assertThat(error.message()).isNotBlank();
    Message.Ack ack = client.await(Message.Ack.class);
    assertThat(ack.upToSeq()).as("a refused changeset is consumed").isEqualTo(seq);
    assertThat(ack.results()).as("and not applied").isEmpty();
  }

  private long quantity(String docId, String sku) {
    String token = TestTokens.mint(victim, List.of(space), Duration.ofHours(1));
    Number qty =
        given()
            .auth()
            .oauth2(token)
            .when()
            .get("/v1/spaces/" + space + "/documents/carts/" + docId)
            .then()
            .statusCode(200)
            .extract()
            .path("value.items." + sku + ".qty");
    return qty == null ? 0 : qty.longValue();
  }

  /** The victim's device: adds {@code n} of coffee with the next dot of its document. */
  private Document victimAdds(Document cart, long n) {
    return Cart.of(cart).add(victimReplica, "coffee", n);
  }

  private void victimPushes(WsClient client, long seq, Document delta) throws InterruptedException {
    client.send(
        new Message.Push(
            List.of(
                new Changeset(
                    victimReplica, seq, space, "carts", "main", new Hlc(1000, (int) seq), delta))));
    acked(client, seq);
  }

  @Test
  void forgedContext_cannotEraseTheVictimsAckedWrites_norSwallowItsFutureOnes() throws Exception {
    Document victimCart = new Document();
    try (WsClient victimSession = session(victim, victimReplica, null);
        WsClient mallorySession = session(mallory, malloryReplica, null)) {
      victimPushes(victimSession, 1, victimAdds(victimCart, 5));
      mallorySession.sendRaw(
          push(
              malloryReplica,
              1,
              space,
              "main",
              "{\"s\":{},\"c\":{\"" + victimReplica + "\":[1000]}}"));
      refused(mallorySession, 1, "context_forged");
      mallorySession.sendRaw(
          push(malloryReplica, 2, space, "main", "{\"s\":{},\"c\":{\"deviceNotYetBorn1\":[1]}}"));
      refused(mallorySession, 2, "context_forged");
      victimPushes(victimSession, 2, victimAdds(victimCart, 1));
    }
    assertThat(quantity("main", "coffee")).isEqualTo(6);
  }

  @Test
  void forgedDot_isRefused_andTheVictimsRealDotCounts() throws Exception {
    Document victimCart = new Document();
    try (WsClient victimSession = session(victim, victimReplica, null);
        WsClient mallorySession = session(mallory, malloryReplica, null)) {
      victimPushes(victimSession, 1, victimAdds(victimCart, 5));
      String forged =
          "{\"s\":{\"items\":{\"t\":\"map\",\"e\":{\"coffee\":{\"t\":\"map\",\"e\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\""
              + victimReplica
              + "\",2,1000]]}}}}}},\"c\":{\""
              + victimReplica
              + "\":[2]}}";
      mallorySession.sendRaw(push(malloryReplica, 1, space, "main", forged));
      refused(mallorySession, 1, "dot_forged");
      victimPushes(victimSession, 2, victimAdds(victimCart, 5));
    }
    assertThat(quantity("main", "coffee")).isEqualTo(10);
  }

  @Test
  void rePushOfAnAppliedSeqToAnotherDocument_isSeqRegression_andAppliesNothing() throws Exception {
    Document victimCart = new Document();
    Document delta = victimAdds(victimCart, 3);
    try (WsClient victimSession = session(victim, victimReplica, null)) {
      victimPushes(victimSession, 1, delta);
      victimSession.sendRaw(push(victimReplica, 1, space, "other", CODEC.encodeDocument(delta)));
      Message.Error error = victimSession.await(Message.Error.class);
      assertThat(error.code()).isEqualTo("seq_regression");
      victimSession.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      victimReplica, 1, space, "carts", "main", new Hlc(1000, 1), delta))));
      assertThat(acked(victimSession, 1).results())
          .extracting(MessageParts.AckResult::seq)
          .containsExactly(1L);
    }
    assertThat(quantity("main", "coffee")).isEqualTo(3);
    String token = TestTokens.mint(victim, List.of(space), Duration.ofHours(1));
    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/v1/spaces/" + space + "/documents/carts/other")
        .then()
        .statusCode(404);
  }

  @Test
  void rePushOfAnAppliedSeq_withAnotherSpaceCollectionOrHlc_isSeqRegression_andAppliesNothing()
      throws Exception {
    Document delta = victimAdds(new Document(), 3);
    String ownSpace = "user:" + victim;
    List<Changeset> variants =
        List.of(
            new Changeset(victimReplica, 1, ownSpace, "carts", "main", new Hlc(1000, 1), delta),
            new Changeset(victimReplica, 1, space, "wishlists", "main", new Hlc(1000, 1), delta),
            new Changeset(victimReplica, 1, space, "carts", "main", new Hlc(2000, 1), delta));
    try (WsClient victimSession = session(victim, victimReplica, null)) {
      victimPushes(victimSession, 1, delta);
      for (Changeset variant : variants) {
        victimSession.send(new Message.Push(List.of(variant)));
        Message.Error error = victimSession.await(Message.Error.class);
        assertThat(error.code()).as("re-push of %s", variant).isEqualTo("seq_regression");
      }
    }
    assertThat(quantity("main", "coffee")).isEqualTo(3);
    String token = TestTokens.mint(victim, List.of(space), Duration.ofHours(1));
    for (String path :
        List.of(
            "/v1/spaces/" + ownSpace + "/documents/carts/main",
            "/v1/spaces/" + space + "/documents/wishlists/main")) {
      given().auth().oauth2(token).when().get(path).then().statusCode(404);
    }
  }

  @Test
  void incrementBeyondTheBound_isOutOfRange_andTheDocumentStaysReadable() throws Exception {
    Document victimCart = new Document();
    try (WsClient victimSession = session(victim, victimReplica, null);
        WsClient mallorySession = session(mallory, malloryReplica, null)) {
      victimPushes(victimSession, 1, victimAdds(victimCart, 2));
      String huge =
          "{\"s\":{\"items\":{\"t\":\"map\",\"e\":{\"coffee\":{\"t\":\"map\",\"e\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\""
              + malloryReplica
              + "\",1,9007199254740990]]}}}}}},\"c\":{\""
              + malloryReplica
              + "\":[1]}}";
      mallorySession.sendRaw(push(malloryReplica, 1, space, "main", huge));
      refused(mallorySession, 1, "out_of_range");
      // Mallory's device saw its refused dot 1 come back as a context-only entry: its next dot is
      // 2.
      Document malloryCart =
          CODEC.decodeDocument("{\"s\":{},\"c\":{\"" + malloryReplica + "\":[1]}}");
      Document atBound =
          malloryCart.addToCounter(malloryReplica, List.of("items", "tea", "qty"), 1L << 31);
      mallorySession.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      malloryReplica, 2, space, "carts", "main", new Hlc(1000, 2), atBound))));
      assertThat(acked(mallorySession, 2).results())
          .as("the increment at the bound is applied")
          .hasSize(1);
    }
    assertThat(quantity("main", "coffee")).isEqualTo(2);
    assertThat(quantity("main", "tea")).isEqualTo(1L << 31);
  }

  /** A delta holding one run of the coffee's quantity counter, with the given context. */
  private static String coffeeRun(
      String replica, long first, long last, long sum, String contextReplica, String context) {
    return "{\"s\":{\"items\":{\"t\":\"map\",\"e\":{\"coffee\":{\"t\":\"map\",\"e\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\""
        + replica
        + "\","
        + first
        + ","
        + last
        + ","
        + sum
        + "]]}}}}}},\"c\":{\""
        + contextReplica
        + "\":"
        + context
        + "}}";
  }

  @Test
  void forgedCounterRuns_areRefusedWithTheirCode_andAnOwnRunAddsOnlyItsSum() throws Exception {
    Document victimCart = new Document();
    try (WsClient victimSession = session(victim, victimReplica, null);
        WsClient mallorySession = session(mallory, malloryReplica, null)) {
      victimPushes(victimSession, 1, victimAdds(victimCart, 2));
      victimPushes(victimSession, 2, victimAdds(victimCart, 3));
      // A run over the victim's dots, replacing its two increments by 1.
      mallorySession.sendRaw(
          push(
              malloryReplica,
              1,
              space,
              "main",
              coffeeRun(victimReplica, 1, 2, 1, victimReplica, "[2]")));
      refused(mallorySession, 1, "dot_forged");
      // An own run whose context leaves out one of its dots: the run would be counted beside it.
      mallorySession.sendRaw(
          push(
              malloryReplica,
              2,
              space,
              "main",
              coffeeRun(malloryReplica, 1, 3, 3, malloryReplica, "[0,1,3]")));
      refused(mallorySession, 2, "invalid");
      // An own run of new dots, covered by its context: as many single increments could do.
      mallorySession.sendRaw(
          push(
              malloryReplica,
              3,
              space,
              "main",
              coffeeRun(malloryReplica, 4, 6, 3, malloryReplica, "[6]")));
      assertThat(acked(mallorySession, 3).results()).hasSize(1);
      // The run again, cut: a run over 5..8 would split the stored run 4..6.
      mallorySession.sendRaw(
          push(
              malloryReplica,
              4,
              space,
              "main",
              coffeeRun(malloryReplica, 5, 8, 4, malloryReplica, "[8]")));
      refused(mallorySession, 4, "out_of_range");
    }
    assertThat(quantity("main", "coffee")).isEqualTo(5 + 3);
  }

  @Test
  void refusedChangeset_leavesAContextOnlyEntry_thatReachesEveryFollower() throws Exception {
    try (WsClient mallorySession = session(mallory, malloryReplica, null);
        WsClient follower = session(victim, victimReplica, null)) {
      String ownButHuge =
          "{\"s\":{\"items\":{\"t\":\"map\",\"e\":{\"tea\":{\"t\":\"map\",\"e\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\""
              + malloryReplica
              + "\",1,4294967296]]}}}}}},\"c\":{\""
              + malloryReplica
              + "\":[1]}}";
      mallorySession.sendRaw(push(malloryReplica, 1, space, "main", ownButHuge));
      refused(mallorySession, 1, "out_of_range");
      Message.Changes changes = follower.await(Message.Changes.class);
      assertThat(changes.items()).hasSize(1);
      MessageParts.ChangeItem item = changes.items().get(0);
      assertThat(item.delta().document().root().isEmpty())
          .as("no value of a refused changeset is ever sent")
          .isTrue();
      assertThat(item.delta().document().context().contains(malloryReplica, 1)).isTrue();
      assertThat(item.origin()).isEqualTo(new MessageParts.Origin(malloryReplica, 1));
      // A re-push of the refused changeset gets the same answer, and a re-push with other content
      // is caught.
      mallorySession.sendRaw(push(malloryReplica, 1, space, "main", ownButHuge));
      refused(mallorySession, 1, "out_of_range");
      mallorySession.sendRaw(push(malloryReplica, 1, space, "elsewhere", ownButHuge));
      assertThat(mallorySession.await(Message.Error.class).code()).isEqualTo("seq_regression");
    }
  }

  @Test
  void reKeyedReplica_deliversItsPredecessorsUnsentWrites_onlyForTheSameUser() throws Exception {
    Document victimCart = new Document();
    String oldReplica = victimReplica;
    String newReplica = victimReplica + "k";
    try (WsClient before = session(victim, oldReplica, null)) {
      victimPushes(before, 1, victimAdds(victimCart, 1));
    }
    Document unsent = victimAdds(victimCart, 2); // dot 2 of the old replica id, never pushed
    try (WsClient after = session(victim, newReplica, oldReplica)) {
      after.send(
          new Message.Push(
              List.of(
                  new Changeset(newReplica, 1, space, "carts", "main", new Hlc(1000, 1), unsent))));
      Message.Ack ack = acked(after, 1);
      assertThat(ack.results()).hasSize(1);
    }
    assertThat(quantity("main", "coffee")).isEqualTo(3);

    String thief = malloryReplica + "k";
    try (WsClient stealing =
        WsClient.connect(server, TestTokens.mint(mallory, List.of(space), Duration.ofHours(1)))) {
      stealing.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              thief,
              List.of(new MessageParts.Subscription(space, 0)),
              oldReplica));
      assertThat(stealing.await(Message.Error.class).code()).isEqualTo("replica_forged");
      stealing.await(Message.Welcome.class);
      Document forged = victimAdds(victimCart.copy(), 7);
      stealing.send(
          new Message.Push(
              List.of(new Changeset(thief, 1, space, "carts", "main", new Hlc(1000, 1), forged))));
      refused(stealing, 1, "dot_forged");
    }
    assertThat(quantity("main", "coffee")).isEqualTo(3);
  }

  @Test
  void typeSquatter_isRefusedByTheCartRule_theCartKeepsReadingItsItems() throws Exception {
    Document victimCart = new Document();
    try (WsClient victimSession = session(victim, victimReplica, null);
        WsClient mallorySession = session(mallory, malloryReplica, null)) {
      Document squat =
          new Document()
              .writeRegister(
                  malloryReplica,
                  List.of("items"),
                  com.fasterxml.jackson.databind.node.TextNode.valueOf("mine"),
                  new Hlc(9_999_999, 0));
      mallorySession.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      malloryReplica, 1, space, "carts", "main", new Hlc(1000, 1), squat))));
      // The default write rule of carts (items: map<{qty: ctr}>) refuses the register at the door;
      // without a rule the type-keyed join would keep both types (docs/crdt.md).
      refused(mallorySession, 1, "write_refused");
      victimPushes(victimSession, 1, victimAdds(victimCart, 2));
      victimPushes(victimSession, 2, victimAdds(victimCart, 1));
    }
    assertThat(quantity("main", "coffee")).isEqualTo(3);
    // No type overlap is left in the cart.
    String token = TestTokens.mint(victim, List.of(space), Duration.ofHours(1));
    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/v1/spaces/" + space + "/documents/carts/main")
        .then()
        .statusCode(200)
        .body("typeOverlaps", org.hamcrest.Matchers.empty());
  }
}
