package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.policy.Profile;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Protocol v1 over a real WebSocket against the real PostgreSQL. */
@QuarkusTest
class SyncProtocolTest {

  @TestHTTPResource("/")
  URI server;

  private static Changeset changeset(String replica, long seq, String space, Document delta) {
    return new Changeset(
        replica, seq, space, "carts", "main", new Hlc(1_764_065_400_000L + seq, 0), delta);
  }

  private WsClient hello(String token, String replica, String space, long since)
      throws InterruptedException {
    WsClient client = WsClient.connect(server, token);
    client.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            replica,
            List.of(new MessageParts.Subscription(space, since))));
    Message.Welcome welcome = client.expect(Message.Welcome.class);
    assertThat(welcome.protocol()).isEqualTo(Message.PROTOCOL_VERSION);
    assertThat(welcome.tokenExpiresAt()).isGreaterThan(System.currentTimeMillis());
    return client;
  }

  @Test
  void pushIsAckedAfterCommit_andOtherDevicesOfTheUserReceiveItLive() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    try (WsClient phone = hello(TestTokens.mint(alice), "phone-" + alice, space, 0);
        WsClient laptop = hello(TestTokens.mint(alice), "laptop-" + alice, space, 0)) {
      Document cart = new Document();
      Document delta = Cart.of(cart).add("phone-" + alice, "sku-1", 2);

      phone.send(new Message.Push(List.of(changeset("phone-" + alice, 1, space, delta))));

      Message.Ack ack = phone.await(Message.Ack.class);
      assertThat(ack.upToSeq()).isEqualTo(1);
      assertThat(ack.results()).containsExactly(new MessageParts.AckResult(1, 1));
      Message.Changes changes = laptop.await(Message.Changes.class);
      assertThat(changes.space()).isEqualTo(space);
      assertThat(changes.from()).isZero();
      assertThat(changes.to()).isEqualTo(1);
      assertThat(changes.items())
          .singleElement()
          .satisfies(
              item -> {
                assertThat(item.delta().document()).isEqualTo(delta);
                assertThat(item.origin()).isEqualTo(new MessageParts.Origin("phone-" + alice, 1));
              });
    }
  }

  @Test
  void helloWithCursor_receivesOnlyLaterChanges_andWelcomeStatesTheHead() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "phone-" + alice;
    Document cart = new Document();
    try (WsClient phone = hello(TestTokens.mint(alice), replica, space, 0)) {
      phone.send(
          new Message.Push(
              List.of(
                  changeset(replica, 1, space, Cart.of(cart).add(replica, "a", 1)),
                  changeset(replica, 2, space, Cart.of(cart).add(replica, "b", 1)),
                  changeset(replica, 3, space, Cart.of(cart).add(replica, "c", 1)))));
      assertThat(phone.await(Message.Ack.class).upToSeq()).isEqualTo(3);
    }
    try (WsClient laptop = WsClient.connect(server, TestTokens.mint(alice))) {
      laptop.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "laptop-" + alice,
              List.of(new MessageParts.Subscription(space, 2))));
      Message.Welcome welcome = laptop.expect(Message.Welcome.class);
      assertThat(welcome.spaces()).extracting(MessageParts.SpaceHead::head).containsExactly(3L);
      Message.Changes changes = laptop.expect(Message.Changes.class);
      assertThat(changes.from()).isEqualTo(2);
      assertThat(changes.items())
          .extracting(MessageParts.ChangeItem::serverSeq)
          .containsExactly(3L);
    }
  }

  @Test
  void rePush_isAckedAgainWithTheSameServerSeq_andChangesNothing() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "phone-" + alice;
    Document cart = new Document();
    Changeset first = changeset(replica, 1, space, Cart.of(cart).add(replica, "sku-1", 2));
    try (WsClient phone = hello(TestTokens.mint(alice), replica, space, 0)) {
      phone.send(new Message.Push(List.of(first)));
      assertThat(phone.await(Message.Ack.class).results())
          .containsExactly(new MessageParts.AckResult(1, 1));
      phone.send(new Message.Push(List.of(first)));
      assertThat(phone.await(Message.Ack.class).results())
          .containsExactly(new MessageParts.AckResult(1, 1));
    }
    try (WsClient reader = hello(TestTokens.mint(alice), "reader-" + alice, space, 0)) {
      Message.Changes changes = reader.expect(Message.Changes.class);
      assertThat(changes.items()).hasSize(1);
      assertThat(changes.more()).isFalse();
    }
  }

  @Test
  void profileConflictAcrossDevices_isMergedByTheServer() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    Document phoneDoc = new Document();
    Document laptopDoc = new Document();
    Document fromPhone =
        Profile.of(phoneDoc).set("p-" + alice, "name", TextNode.valueOf("Ada"), new Hlc(100, 0));
    Document fromLaptop =
        Profile.of(laptopDoc).set("l-" + alice, "name", TextNode.valueOf("Grace"), new Hlc(200, 0));
    try (WsClient phone = hello(TestTokens.mint(alice), "p-" + alice, space, 0);
        WsClient laptop = hello(TestTokens.mint(alice), "l-" + alice, space, 0)) {
      phone.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      "p-" + alice, 1, space, "profiles", "me", new Hlc(100, 0), fromPhone))));
      phone.await(Message.Ack.class);
      laptop.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      "l-" + alice, 1, space, "profiles", "me", new Hlc(200, 0), fromLaptop))));
      laptop.await(Message.Ack.class);
    }
    try (WsClient reader = hello(TestTokens.mint(alice), "r-" + alice, space, 0)) {
      Document merged = new Document();
      Message.Changes changes = reader.expect(Message.Changes.class);
      changes.items().forEach(item -> merged.join(item.delta().document()));
      assertThat(Profile.of(merged).get("name")).contains(TextNode.valueOf("Grace"));
      assertThat(Profile.of(merged).conflicts()).hasSize(1);
      assertThat(Map.of("losers", Profile.of(merged).conflicts().get(0).losers().size()))
          .containsEntry("losers", 1);
    }
  }

  @Test
  void catchUpBeyondTheSharedLogWindow_isPagedWithMoreUntilTheLastPage() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "phone-" + alice;
    int total = 1_200;
    try (WsClient phone = hello(TestTokens.mint(alice), replica, space, total)) {
      Document cart = new Document();
      for (int from = 1; from <= total; from += 400) {
        java.util.List<Changeset> batch = new java.util.ArrayList<>();
        for (int seq = from; seq < from + 400; seq++) {
          batch.add(
              new Changeset(
                  replica,
                  seq,
                  space,
                  "carts",
                  "d" + seq % 7,
                  new Hlc(seq, 0),
                  Cart.of(cart).add(replica, "sku-" + seq % 30, 1)));
        }
        phone.send(new Message.Push(batch));
        phone.await(Message.Ack.class);
      }
    }
    try (WsClient reader = hello(TestTokens.mint(alice), "reader-" + alice, space, 0)) {
      long cursor = 0;
      Message.Changes page;
      do {
        page = reader.expect(Message.Changes.class);
        assertThat(page.from()).isEqualTo(cursor);
        cursor = page.to();
        // Every page but the last says more follow, so a client never waits for a poll to continue.
        assertThat(page.more())
            .as("more on the page ending at " + cursor)
            .isEqualTo(cursor < total);
      } while (page.more());
      assertThat(cursor).isEqualTo(total);
    }
  }

  @Test
  void clientBehind_getsOneDeltaGroupPerDocument_equalToTheJoinOfItsChanges() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "phone-" + alice;
    Document cart = new Document();
    Document expected = new Document();
    java.util.List<Changeset> batch = new java.util.ArrayList<>();
    for (int seq = 1; seq <= 3; seq++) {
      Document delta = Cart.of(cart).add(replica, "sku-" + seq, seq);
      expected.join(delta);
      batch.add(changeset(replica, seq, space, delta));
    }
    batch.add(
        new Changeset(
            replica,
            4,
            space,
            "carts",
            "other",
            new Hlc(9, 0),
            Cart.of(new Document()).add(replica, "x", 1)));
    try (WsClient phone = hello(TestTokens.mint(alice), replica, space, 4)) {
      phone.send(new Message.Push(batch));
      phone.await(Message.Ack.class);
    }
    try (WsClient laptop = hello(TestTokens.mint(alice), "laptop-" + alice, space, 0)) {
      Message.Changes changes = laptop.expect(Message.Changes.class);
      assertThat(changes.to()).isEqualTo(4);
      assertThat(changes.items()).hasSize(2);
      MessageParts.ChangeItem group = changes.items().get(0);
      assertThat(group.fromSeq()).isEqualTo(1);
      assertThat(group.serverSeq()).isEqualTo(3);
      assertThat(group.origin()).isNull();
      assertThat(group.delta().document()).isEqualTo(expected);
      MessageParts.ChangeItem single = changes.items().get(1);
      assertThat(single.fromSeq()).isEqualTo(single.serverSeq()).isEqualTo(4);
      assertThat(single.origin()).isEqualTo(new MessageParts.Origin(replica, 4));
    }
  }
}
