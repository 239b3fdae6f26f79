package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sessions of one space at one cursor receive the same {@code changes} frame, built once on the
 * node; a session of another space receives nothing of it.
 */
@QuarkusTest
class SharedFramesTest {

  @TestHTTPResource("/")
  URI server;

  @Inject PageFrames frames;

  private WsClient hello(String token, String replica, String space) throws InterruptedException {
    WsClient client = WsClient.connect(server, token);
    client.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION, replica, List.of(new MessageParts.Subscription(space, 0))));
    client.expect(Message.Welcome.class);
    return client;
  }

  @Test
  void sessionsAtOneCursor_getIdenticalBytes_builtOnce() throws Exception {
    String alice = TestTokens.subject("alice");
    String bob = TestTokens.subject("bob");
    String space = "user:" + alice;
    String replica = "phone-" + alice;
    try (WsClient phone = hello(TestTokens.mint(alice), replica, space);
        WsClient laptop = hello(TestTokens.mint(alice), "laptop-" + alice, space);
        WsClient tablet = hello(TestTokens.mint(alice), "tablet-" + alice, space);
        WsClient stranger = hello(TestTokens.mint(bob), "phone-" + bob, "user:" + bob)) {
      Document cart = new Document();
      List<Changeset> changesets = new ArrayList<>();
      for (int seq = 1; seq <= 3; seq++) {
        changesets.add(
            new Changeset(
                replica,
                seq,
                space,
                "carts",
                "main",
                new Hlc(1_764_065_400_000L + seq, 0),
                Cart.of(cart).add(replica, "sku-" + seq, seq)));
      }
      long before = frames.builds();

      phone.send(new Message.Push(changesets));
      // The ack and the pusher's own copy of the change may come in either order (the fan-out
      // follows the commit's notification, the ack the commit itself): take both as they come.
      Message.Ack ack = null;
      Message.Changes echoed = null;
      while (ack == null || echoed == null) {
        Message message = phone.next();
        if (message instanceof Message.Ack a) {
          ack = a;
        } else if (message instanceof Message.Changes c) {
          echoed = c;
        }
      }
      assertThat(ack.upToSeq()).isEqualTo(3);
      Message.Changes onLaptop = laptop.await(Message.Changes.class);
      Message.Changes onTablet = tablet.await(Message.Changes.class);

      assertThat(onLaptop.to()).isEqualTo(3);
      assertThat(onTablet.to()).isEqualTo(3);
      // One delta-group for the one document, the same text on every session, built once.
      assertThat(onLaptop.items()).singleElement().satisfies(i -> assertThat(i.fromSeq()).isOne());
      String laptopText = changesText(laptop);
      assertThat(changesText(tablet)).isEqualTo(laptopText);
      assertThat(changesText(phone)).isEqualTo(laptopText);
      assertThat(frames.builds() - before).isEqualTo(1);
      // The other user's session follows only its own space.
      Thread.sleep(300);
      assertThat(stranger.texts).noneMatch(t -> t.contains("\"changes\""));
      assertThat(stranger.received).noneMatch(Message.Changes.class::isInstance);
    }
  }

  private static String changesText(WsClient client) {
    List<String> changes;
    synchronized (client.texts) {
      changes = client.texts.stream().filter(t -> t.startsWith("{\"type\":\"changes\"")).toList();
    }
    assertThat(changes).hasSize(1);
    return changes.get(0);
  }
}
