package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every hostile input gets an error with a code and a message, and changes nothing. */
@QuarkusTest
class HostileInputTest {

  @TestHTTPResource("/")
  URI server;

  private String alice;
  private String space;
  private String replica;

  /** The device's cart, so that its changesets carry consecutive dots as a real device's do. */
  private Document cart;

  @BeforeEach
  void freshUser() {
    alice = TestTokens.subject("alice");
    space = "user:" + alice;
    replica = "phone-" + alice;
    cart = new Document();
  }

  private WsClient session(String subject, String replicaId, String followed)
      throws InterruptedException {
    WsClient client = WsClient.connect(server, TestTokens.mint(subject));
    client.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            replicaId,
            List.of(new MessageParts.Subscription(followed, 0))));
    client.expect(Message.Welcome.class);
    return client;
  }

  private Changeset add(long seq, String sku) {
    return new Changeset(
        replica,
        seq,
        space,
        "carts",
        "main",
        new Hlc(1000 + seq, 0),
        Cart.of(cart).add(replica, sku, 1));
  }

  private static Message.Error error(WsClient client, String code) throws InterruptedException {
    Message.Error error = client.await(Message.Error.class);
    assertThat(error.code()).isEqualTo(code);
    assertThat(error.message()).isNotBlank();
    return error;
  }

  /** Proves nothing was applied: a fresh reader of the space sees no change at all. */
  private void assertSpaceUntouched() throws InterruptedException {
    try (WsClient reader = WsClient.connect(server, TestTokens.mint(alice))) {
      reader.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "reader-" + alice,
              List.of(new MessageParts.Subscription(space, 0))));
      Message.Welcome welcome = reader.expect(Message.Welcome.class);
      assertThat(welcome.spaces())
          .containsExactly(
              new MessageParts.SpaceHead(
                  space, 0, dev.converge.core.server.LogChain.GENESIS, false));
      assertThat(reader.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void malformedJson_getsMalformed() throws Exception {
    try (WsClient client = session(alice, replica, space)) {
      client.sendRaw("{\"type\":\"push\",");
      assertThat(error(client, "malformed").message()).contains("malformed JSON");
    }
    assertSpaceUntouched();
  }

  @Test
  void unknownMessageType_getsUnknownType() throws Exception {
    try (WsClient client = session(alice, replica, space)) {
      client.sendRaw("{\"type\":\"gossip\",\"space\":\"x\"}");
      assertThat(error(client, "unknown_type").message()).contains("'gossip'");
    }
  }

  @Test
  void wrongFieldTypes_getInvalid_namingThePath() throws Exception {
    try (WsClient client = session(alice, replica, space)) {
      client.sendRaw(
          "{\"type\":\"push\",\"changesets\":[{\"replicaId\":\""
              + replica
              + "\",\"seq\":\"one\"}]}");
      assertThat(error(client, "invalid").message())
          .startsWith("$.changesets[0].seq: expected an integer");
    }
    assertSpaceUntouched();
  }

  @Test
  void pushBeforeHello_getsHelloRequired() throws Exception {
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Push(List.of(add(1, "a"))));
      error(client, "hello_required");
    }
    assertSpaceUntouched();
  }

  @Test
  void seqGap_isRejectedWhole() throws Exception {
    try (WsClient client = session(alice, replica, space)) {
      client.send(new Message.Push(List.of(add(1, "a"), add(3, "b"))));
      Message.Error gap = error(client, "seq_gap");
      assertThat(gap.ref()).isEqualTo(3L);
      assertThat(gap.message()).contains("skips 2");
    }
    assertSpaceUntouched();
  }

  @Test
  void sameSeqWithOtherContent_fromAReusedReplicaId_isRefused_andTheFirstContentStays()
      throws Exception {
    Changeset original = add(1, "original");
    Changeset impostor = add(1, "from-a-restored-backup");
    try (WsClient client = session(alice, replica, space)) {
      client.send(new Message.Push(List.of(original)));
      client.await(Message.Ack.class);
      client.send(new Message.Push(List.of(impostor)));
      Message.Error reused = error(client, "seq_regression");
      assertThat(reused.ref()).isEqualTo(1L);
      assertThat(reused.message()).contains("another install");
      // The genuine re-push is still acked as a duplicate.
      client.send(new Message.Push(List.of(original)));
      assertThat(client.await(Message.Ack.class).results())
          .containsExactly(new MessageParts.AckResult(1, 1));
    }
  }

  @Test
  void seqRegressionWithinAPush_isRejectedWhole() throws Exception {
    try (WsClient client = session(alice, replica, space)) {
      client.send(new Message.Push(List.of(add(2, "a"), add(1, "b"))));
      assertThat(error(client, "seq_regression").ref()).isEqualTo(1L);
    }
    assertSpaceUntouched();
  }

  @Test
  void oversizePush_getsTooLarge() throws Exception {
    List<Changeset> many = new ArrayList<>();
    for (int i = 1; i <= 501; i++) {
      many.add(add(i, "sku-" + i));
    }
    try (WsClient client = session(alice, replica, space)) {
      client.send(new Message.Push(many));
      assertThat(error(client, "too_large").message()).contains("limit is 500");
    }
    assertSpaceUntouched();
  }

  @Test
  void messageBeyondTheCodecLimit_getsTooLarge_andChangesNothing() throws Exception {
    // The test profile lowers the codec limit to 1 MiB; frames beyond the WebSocket limit are
    // closed with 1009.
    Document big =
        new Document()
            .writeRegister(
                replica,
                List.of("notes"),
                com.fasterxml.jackson.databind.node.TextNode.valueOf("x".repeat(60_000)),
                new Hlc(1, 0));
    List<Changeset> batch = new ArrayList<>();
    for (int seq = 1; seq <= 20; seq++) {
      batch.add(new Changeset(replica, seq, space, "notes", "n" + seq, new Hlc(seq, 0), big));
    }
    try (WsClient client = session(alice, replica, space)) {
      client.send(new Message.Push(batch));
      assertThat(error(client, "too_large").message()).contains("exceeds the limit");
    }
    assertSpaceUntouched();
  }

  @Test
  void forgedReplicaId_boundToAnotherSubject_isRejected() throws Exception {
    String bob = TestTokens.subject("bob");
    try (WsClient client = session(alice, replica, space)) {
      client.send(new Message.Push(List.of(add(1, "a"))));
      client.await(Message.Ack.class);
    }
    try (WsClient mallory = session(bob, replica, "user:" + bob)) {
      mallory.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      replica,
                      2,
                      "user:" + bob,
                      "carts",
                      "main",
                      new Hlc(9, 0),
                      Cart.of(new Document()).add(replica, "x", 1)))));
      error(mallory, "replica_forged");
    }
  }

  @Test
  void unknownOrUngrantedSpace_isForbidden_withoutSayingWhetherItExists() throws Exception {
    String bob = TestTokens.subject("bob");
    try (WsClient client = session(alice, replica, space)) {
      client.send(new Message.Push(List.of(add(1, "a"))));
      client.await(Message.Ack.class);
    }
    try (WsClient bobClient = WsClient.connect(server, TestTokens.mint(bob))) {
      bobClient.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "b-" + bob,
              List.of(
                  new MessageParts.Subscription(space, 0),
                  new MessageParts.Subscription("team:never-created", 0))));
      Message.Error existing = error(bobClient, "forbidden_space");
      Message.Error missing = error(bobClient, "forbidden_space");
      assertThat(existing.message().replace(space, "X"))
          .isEqualTo(missing.message().replace("team:never-created", "X"));
      Message.Welcome welcome = bobClient.expect(Message.Welcome.class);
      assertThat(welcome.spaces()).isEmpty();
      bobClient.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      "b-" + bob,
                      1,
                      space,
                      "carts",
                      "main",
                      new Hlc(1, 0),
                      Cart.of(new Document()).add("b-" + bob, "evil", 1)))));
      assertThat(error(bobClient, "forbidden_space").ref()).isEqualTo(1L);
      // Consumed, not applied: the ack moves past it and lists no serverSeq.
      Message.Ack ack = bobClient.expect(Message.Ack.class);
      assertThat(ack.upToSeq()).isEqualTo(1);
      assertThat(ack.results()).isEmpty();
      assertThat(bobClient.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void wrongProtocolVersion_isRefusedAndClosed() throws Exception {
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(1, replica, List.of()));
      error(client, "protocol_version");
      assertThat(client.closed.get(10, TimeUnit.SECONDS)[0]).isEqualTo(CloseCode.PROTOCOL.code());
    }
  }
}
