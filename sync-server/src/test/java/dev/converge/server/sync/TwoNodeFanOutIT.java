package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two server processes share one PostgreSQL: a client on one receives, live, what a client on the
 * other pushed. The head poll is set to ten minutes, so only LISTEN/NOTIFY can deliver it in time.
 */
class TwoNodeFanOutIT {

  @Test
  void clientOnOneNode_receivesLiveWhatAClientOnTheOtherPushed() throws Exception {
    Map<String, String> noPoll = Map.of("CONVERGE_SYNC_POLL_INTERVAL", "PT10M");
    try (ServerProcess nodeA = ServerProcess.start("node-a", noPoll);
        ServerProcess nodeB = ServerProcess.start("node-b", noPoll)) {
      String alice = TestTokens.subject("alice");
      String space = "user:" + alice;
      try (WsClient laptop = WsClient.connect(nodeA.uri(), TestTokens.mint(alice));
          WsClient phone = WsClient.connect(nodeB.uri(), TestTokens.mint(alice))) {
        laptop.send(
            new Message.Hello(
                Message.PROTOCOL_VERSION,
                "laptop-" + alice,
                List.of(new MessageParts.Subscription(space, 0))));
        assertThat(laptop.expect(Message.Welcome.class).serverId()).isEqualTo("node-a");
        phone.send(new Message.Hello(Message.PROTOCOL_VERSION, "phone-" + alice, List.of()));
        assertThat(phone.expect(Message.Welcome.class).serverId()).isEqualTo("node-b");

        Document cart = new Document();
        for (int seq = 1; seq <= 3; seq++) {
          Document delta = Cart.of(cart).add("phone-" + alice, "sku-" + seq, seq);
          long sent = System.nanoTime();
          phone.send(
              new Message.Push(
                  List.of(
                      new Changeset(
                          "phone-" + alice, seq, space, "carts", "main", new Hlc(seq, 0), delta))));
          phone.await(Message.Ack.class);
          Message.Changes changes = laptop.expect(Message.Changes.class);
          // Far below the ten-minute poll, so only NOTIFY can have delivered it; generous for a
          // loaded machine.
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)).isLessThan(60_000);
          assertThat(changes.items())
              .singleElement()
              .satisfies(
                  item -> {
                    assertThat(item.delta().document()).isEqualTo(delta);
                    assertThat(item.origin().replicaId()).isEqualTo("phone-" + alice);
                  });
        }
      }
    }
  }

  /**
   * Issue 10, case 10: the NOTIFY that wakes the other node carries the space as a bound parameter
   * ({@code pg_notify($1, $2)}), so a space whose name holds quotes, a dollar quote, a statement
   * separator, a backslash and non-ASCII text is delivered live like any other, and nothing of it
   * is ever read as SQL.
   */
  @Test
  void spaceNamedLikeSql_isNotifiedAsData_andDeliveredLive() throws Exception {
    Map<String, String> noPoll = Map.of("CONVERGE_SYNC_POLL_INTERVAL", "PT10M");
    try (ServerProcess nodeA = ServerProcess.start("node-a-sql", noPoll);
        ServerProcess nodeB = ServerProcess.start("node-b-sql", noPoll)) {
      String alice = TestTokens.subject("alice");
      String space = "team:" + alice + "-o'brien\"); select pg_sleep(30);--$$\\ \u00fcber";
      String token = TestTokens.mint(alice, List.of(space), Duration.ofMinutes(10));
      try (WsClient laptop = WsClient.connect(nodeA.uri(), token);
          WsClient phone = WsClient.connect(nodeB.uri(), token)) {
        laptop.send(
            new Message.Hello(
                Message.PROTOCOL_VERSION,
                "laptop-" + alice,
                List.of(new MessageParts.Subscription(space, 0))));
        laptop.expect(Message.Welcome.class);
        phone.send(new Message.Hello(Message.PROTOCOL_VERSION, "phone-" + alice, List.of()));
        phone.expect(Message.Welcome.class);

        Document delta = Cart.of(new Document()).add("phone-" + alice, "sku-1", 2);
        long sent = System.nanoTime();
        phone.send(
            new Message.Push(
                List.of(
                    new Changeset(
                        "phone-" + alice, 1, space, "carts", "main", new Hlc(1, 0), delta))));
        assertThat(phone.await(Message.Ack.class).upToSeq()).isEqualTo(1);
        Message.Changes changes = laptop.expect(Message.Changes.class);
        // Only NOTIFY can wake node A within the ten-minute poll.
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)).isLessThan(60_000);
        assertThat(changes.space()).isEqualTo(space);
        assertThat(changes.items())
            .singleElement()
            .satisfies(i -> assertThat(i.delta().document()).isEqualTo(delta));
      }
    }
  }
}
