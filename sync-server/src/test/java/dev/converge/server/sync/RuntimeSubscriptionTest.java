package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Profile;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.server.changeset.StablePoints;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runtime subscriptions on the real server and PostgreSQL: {@code subscribe} after the welcome
 * follows a granted space (its changes flow, the replica enters the live set), refuses an ungranted
 * one with {@code forbidden_space} and spaces past the session bound with {@code too_many_spaces};
 * {@code unsubscribe} stops the feed and takes the replica out of the live set.
 */
@QuarkusTest
class RuntimeSubscriptionTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TestHTTPResource("/")
  URI server;

  @Inject StablePoints stablePoints;

  @Test
  void subscribeAfterWelcome_followsTheSpace_andUnsubscribe_stopsItAndLeavesTheLiveSet()
      throws Exception {
    String alice = TestTokens.subject("alice");
    String team = "team:" + alice;
    String token = TestTokens.mint(alice, List.of(team), Duration.ofMinutes(10));
    String replica = "r-" + alice;
    String writer = "w-" + alice;
    try (WsClient client = WsClient.connect(server, token);
        WsClient other = WsClient.connect(server, token)) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      assertThat(client.expect(Message.Welcome.class).spaces()).isEmpty();
      other.send(new Message.Hello(Message.PROTOCOL_VERSION, writer, List.of()));
      other.expect(Message.Welcome.class);
      push(other, writer, team, 1, "Ada");

      client.send(new Message.Subscribe(List.of(new MessageParts.Subscription(team, 0, 0L))));
      Message.Subscribed subscribed = client.expect(Message.Subscribed.class);
      assertThat(subscribed.spaces()).containsExactly(new MessageParts.SpaceHead(team, 1));
      Message.Changes changes = client.expect(Message.Changes.class);
      assertThat(changes.space()).isEqualTo(team);
      assertThat(changes.to()).isEqualTo(1);
      assertThat(stablePoints.of(team).await().atMost(WAIT)).containsKey(replica);

      client.send(new Message.Unsubscribe(List.of(team)));
      assertThat(client.expect(Message.Unsubscribed.class).spaces()).containsExactly(team);
      // Synced answers only for followed spaces, and after everything sent before it.
      client.send(new Message.Sync(9));
      assertThat(client.await(Message.Synced.class).spaces()).isEmpty();
      assertThat(stablePoints.of(team).await().atMost(WAIT)).doesNotContainKey(replica);

      // A change made after the unsubscribe does not reach the session.
      push(other, writer, team, 2, "Eve");
      client.send(new Message.Sync(10));
      Message next = client.next();
      assertThat(next).isInstanceOf(Message.Synced.class);
    }
  }

  @Test
  void subscribeToASpaceNotGranted_isForbidden_andNotFollowed() throws Exception {
    String bob = TestTokens.subject("bob");
    try (WsClient client = WsClient.connect(server, TestTokens.mint(bob))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, "r-" + bob, List.of()));
      client.expect(Message.Welcome.class);
      client.send(
          new Message.Subscribe(
              List.of(
                  new MessageParts.Subscription("team:not-" + bob, 0),
                  new MessageParts.Subscription("user:" + bob, 0))));
      assertThat(client.expect(Message.Error.class).code()).isEqualTo("forbidden_space");
      assertThat(client.expect(Message.Subscribed.class).spaces())
          .containsExactly(new MessageParts.SpaceHead("user:" + bob, 0));
      client.send(new Message.Sync(1));
      assertThat(client.expect(Message.Synced.class).spaces())
          .extracting(MessageParts.SpaceHead::space)
          .containsExactly("user:" + bob);
    }
  }

  @Test
  void subscriptionsPastTheSessionBound_areRefusedWithTooManySpaces() throws Exception {
    String carol = TestTokens.subject("carol");
    List<String> spaces = new ArrayList<>();
    for (int i = 0; i < 18; i++) {
      spaces.add("team:" + carol + "-" + i);
    }
    // The test profile bounds a session to 16 spaces: 1 in hello, 15 more fit, 2 do not.
    try (WsClient client =
        WsClient.connect(server, TestTokens.mint(carol, spaces, Duration.ofMinutes(10)))) {
      client.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "r-" + carol,
              List.of(new MessageParts.Subscription(spaces.get(0), 0))));
      client.expect(Message.Welcome.class);
      client.send(
          new Message.Subscribe(
              spaces.subList(1, 18).stream()
                  .map(s -> new MessageParts.Subscription(s, 0))
                  .toList()));
      for (int refused = 16; refused < 18; refused++) {
        Message.Error error = client.expect(Message.Error.class);
        assertThat(error.code()).isEqualTo("too_many_spaces");
        assertThat(error.message()).contains("'" + spaces.get(refused) + "'");
      }
      assertThat(client.expect(Message.Subscribed.class).spaces())
          .extracting(MessageParts.SpaceHead::space)
          .containsExactlyElementsOf(spaces.subList(1, 16));
    }
  }

  @Test
  void subscribeNamingASpaceTwice_isInvalid_andChangesNothing() throws Exception {
    String dan = TestTokens.subject("dan");
    try (WsClient client = WsClient.connect(server, TestTokens.mint(dan))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, "r-" + dan, List.of()));
      client.expect(Message.Welcome.class);
      String space = "user:" + dan;
      client.sendRaw(
          "{\"type\":\"subscribe\",\"subscriptions\":[{\"space\":\""
              + space
              + "\",\"since\":0},{\"space\":\""
              + space
              + "\",\"since\":0}]}");
      assertThat(client.expect(Message.Error.class).code()).isEqualTo("invalid");
      client.send(new Message.Sync(2));
      assertThat(client.expect(Message.Synced.class).spaces()).isEmpty();
    }
  }

  private static void push(WsClient client, String replica, String space, long seq, String name)
      throws InterruptedException {
    Document delta =
        Profile.of(new Document())
            .set(replica, "name", TextNode.valueOf(name), new Hlc(1000 + seq, 0));
    client.send(
        new Message.Push(
            List.of(
                new Changeset(
                    replica, seq, space, "profiles", "p" + seq, new Hlc(1000 + seq, 0), delta))));
    assertThat(client.await(Message.Ack.class).upToSeq()).isEqualTo(seq);
  }
}
