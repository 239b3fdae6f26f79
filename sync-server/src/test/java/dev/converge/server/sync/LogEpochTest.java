package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.server.LogChain;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The log epoch at {@code hello} (docs/protocol-2.md "Log epoch"): the server sends the chain at
 * each page's end and at its head, tells a client whose chain at its cursor differs (or whose
 * cursor is beyond the head) that its history was lost, serves it a snapshot, and refuses a
 * malformed epoch with a coded error.
 */
@QuarkusTest
class LogEpochTest {

  private static final String OTHER = "0123456789abcdef0123456789abcdef";

  @TestHTTPResource("/")
  URI server;

  private String alice;
  private String space;
  private String phone;
  private final Document cart = new Document();

  @BeforeEach
  void freshUser() {
    alice = TestTokens.subject("alice");
    space = "user:" + alice;
    phone = "phone-" + alice;
  }

  private void push(WsClient client, long seq, String sku) throws InterruptedException {
    client.send(
        new Message.Push(
            List.of(
                new Changeset(
                    phone,
                    seq,
                    space,
                    "carts",
                    "main",
                    new Hlc(1_764_065_400_000L + seq, 0),
                    Cart.of(cart).add(phone, sku, 1)))));
    assertThat(client.await(Message.Ack.class).upToSeq()).isEqualTo(seq);
  }

  private WsClient hello(String replica, long since, String epoch) {
    WsClient client = WsClient.connect(server, TestTokens.mint(alice));
    client.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            replica,
            List.of(new MessageParts.Subscription(space, since, null, epoch))));
    return client;
  }

  @Test
  void epochs_tellTheSameHistoryFromAnother() throws Exception {
    String atTwo;
    try (WsClient writer = hello(phone, 0, null)) {
      Message.Welcome empty = writer.expect(Message.Welcome.class);
      assertThat(empty.spaces().get(0).epoch()).isEqualTo(LogChain.GENESIS);
      push(writer, 1, "a");
      push(writer, 2, "b");
      try (WsClient reader = hello("reader-" + alice, 0, null)) {
        reader.expect(Message.Welcome.class);
        Message.Changes changes = reader.expect(Message.Changes.class);
        assertThat(changes.to()).isEqualTo(2);
        atTwo = changes.epoch();
        assertThat(LogChain.isValid(atTwo)).isTrue();
        assertThat(atTwo).isNotEqualTo(LogChain.GENESIS);
      }
      push(writer, 3, "c");
    }
    String atThree;
    // The same history at a cursor inside the log, then at the head: followed from the log.
    try (WsClient same = hello("laptop-" + alice, 2, atTwo)) {
      Message.Welcome welcome = same.expect(Message.Welcome.class);
      assertThat(welcome.spaces().get(0).restored()).isFalse();
      atThree = welcome.spaces().get(0).epoch();
      Message.Changes changes = same.expect(Message.Changes.class);
      assertThat(changes.from()).isEqualTo(2);
      assertThat(changes.epoch()).isEqualTo(atThree);
    }
    try (WsClient atHead = hello("laptop-" + alice, 3, atThree)) {
      assertThat(atHead.expect(Message.Welcome.class).spaces().get(0).restored()).isFalse();
    }
    // Another history at the same serverSeqs: inside the log, at the head, beyond the head.
    for (long since : new long[] {2, 3}) {
      try (WsClient other = hello("tablet-" + alice, since, OTHER)) {
        Message.Welcome welcome = other.expect(Message.Welcome.class);
        assertThat(welcome.spaces().get(0).restored()).as("since %d", since).isTrue();
        Message.Snapshot snapshot = other.expect(Message.Snapshot.class);
        assertThat(snapshot.head()).isEqualTo(3);
        assertThat(snapshot.epoch()).isEqualTo(atThree);
        assertThat(snapshot.docs()).hasSize(1);
      }
    }
    try (WsClient beyond = hello("tablet-" + alice, 9, null)) {
      assertThat(beyond.expect(Message.Welcome.class).spaces().get(0).restored()).isTrue();
      assertThat(beyond.expect(Message.Snapshot.class).epoch()).isEqualTo(atThree);
    }
  }

  @Test
  void malformedEpoch_getsInvalid_andNoWelcome() throws Exception {
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.sendRaw(
          "{\"type\":\"hello\",\"protocol\":2,\"replicaId\":\""
              + phone
              + "\",\"subscriptions\":[{\"space\":\""
              + space
              + "\",\"since\":3,\"epoch\":\"ABCDEF\"}]}");
      Message.Error error = client.await(Message.Error.class);
      assertThat(error.code()).isEqualTo("invalid");
      assertThat(error.message()).contains("$.subscriptions[0].epoch");
      // The session never said hello: a push is refused as before hello.
      client.sendRaw("{\"type\":\"sync\",\"ref\":1}");
      assertThat(client.await(Message.Error.class).code()).isEqualTo("hello_required");
    }
  }
}
