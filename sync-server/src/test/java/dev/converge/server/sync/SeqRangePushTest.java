package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seq ranges against the real server and PostgreSQL, on both push paths: a push into one space (its
 * group commit, {@code BatchApply}) and a push spanning spaces (a transaction of its own, {@code
 * PushService}). A range moves the replica over all its seqs, a byte-identical re-push is acked
 * again, and each forgery of a range is refused with its code and changes nothing.
 */
@QuarkusTest
class SeqRangePushTest {

  @TestHTTPResource("/")
  URI server;

  private String user;
  private String space;
  private String other;
  private String replica;
  private final Document cart = new Document();

  @BeforeEach
  void names() {
    user = TestTokens.subject("ranges");
    space = "user:" + user;
    other = "team:" + user;
    replica = "rangePhone" + Math.abs(user.hashCode());
  }

  private WsClient session() throws InterruptedException {
    WsClient client =
        WsClient.connect(server, TestTokens.mint(user, List.of(space, other), Duration.ofHours(1)));
    client.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            replica,
            List.of(
                new MessageParts.Subscription(space, 0), new MessageParts.Subscription(other, 0)),
            null));
    client.await(Message.Welcome.class);
    return client;
  }

  /** The join of adds of one sku each, as the SDK joins unsent rows. */
  private Document adds(String... skus) {
    Document joined = new Document();
    for (String sku : skus) {
      joined.join(Cart.of(cart).add(replica, sku, 1));
    }
    return joined;
  }

  private Changeset range(String in, long seq, long toSeq, Document delta) {
    return new Changeset(replica, seq, in, "carts", "main", new Hlc(1000, (int) seq), delta, toSeq);
  }

  private static Message.Ack ack(WsClient client, long upTo) throws InterruptedException {
    Message.Ack ack = client.await(Message.Ack.class);
    assertThat(ack.upToSeq()).isEqualTo(upTo);
    return ack;
  }

  private static void refused(WsClient client, List<Changeset> push, String code)
      throws InterruptedException {
    client.send(new Message.Push(push));
    Message.Error error = client.await(Message.Error.class);
    assertThat(error.code()).as("push %s", push).isEqualTo(code);
  }

  private int items(String in) {
    String token = TestTokens.mint(user, List.of(space, other), Duration.ofHours(1));
    java.util.Map<String, Object> items =
        given()
            .auth()
            .oauth2(token)
            .when()
            .get("/v1/spaces/" + in + "/documents/carts/main")
            .then()
            .statusCode(200)
            .extract()
            .path("value.items");
    return items.size();
  }

  @Test
  void groupCommitPath_appliesARange_acksItsRetry_andRefusesEveryForgery() throws Exception {
    Changeset first = range(space, 1, 3, adds("a", "b", "c"));
    try (WsClient s = session()) {
      s.send(new Message.Push(List.of(first)));
      assertThat(ack(s, 3).results()).extracting(MessageParts.AckResult::seq).containsExactly(1L);
      long serverSeq = 0;

      s.send(new Message.Push(List.of(first)));
      Message.Ack again = ack(s, 3);
      assertThat(again.results()).extracting(MessageParts.AckResult::seq).containsExactly(1L);
      serverSeq = again.results().get(0).serverSeq();

      refused(s, List.of(range(space, 1, 2, first.delta())), "seq_regression");
      refused(s, List.of(range(space, 2, 3, first.delta())), "seq_regression");
      refused(s, List.of(range(space, 2, 5, adds("x"))), "seq_regression");
      refused(s, List.of(range(space, 1, 3, adds("d"))), "seq_regression");
      refused(
          s,
          List.of(range(space, 4, 6, adds("e")), range(space, 6, 7, adds("f"))),
          "seq_regression");
      refused(s, List.of(range(space, 5, 4, adds("g"))), "invalid");
      refused(s, List.of(range(space, 4, 4 + Changeset.MAX_RANGE, adds("h"))), "invalid");
      refused(s, List.of(range(space, 5, 6, adds("i"))), "seq_gap");

      Changeset next = range(space, 4, 5, adds("j", "k"));
      s.send(new Message.Push(List.of(first, next)));
      Message.Ack both = ack(s, 5);
      assertThat(both.results()).extracting(MessageParts.AckResult::seq).containsExactly(1L, 4L);
      assertThat(both.results().get(0).serverSeq()).isEqualTo(serverSeq);
    }
    assertThat(items(space)).isEqualTo(5);
  }

  @Test
  void pushAcrossSpaces_appliesRangesAlone_acksTheirRetry_andRefusesAReCut() throws Exception {
    Changeset mine = range(space, 1, 2, adds("a", "b"));
    Changeset team = range(other, 3, 5, adds("c", "d", "e"));
    try (WsClient s = session()) {
      s.send(new Message.Push(List.of(mine, team)));
      assertThat(ack(s, 5).results())
          .extracting(MessageParts.AckResult::seq)
          .containsExactly(1L, 3L);

      s.send(new Message.Push(List.of(mine, team)));
      assertThat(ack(s, 5).results())
          .extracting(MessageParts.AckResult::seq)
          .containsExactly(1L, 3L);

      refused(s, List.of(mine, range(other, 3, 4, team.delta())), "seq_regression");
      refused(s, List.of(range(space, 1, 2, adds("z")), team), "seq_regression");
      refused(s, List.of(range(space, 6, 5, adds("y")), range(other, 7, 7, adds("x"))), "invalid");
    }
    assertThat(items(space)).isEqualTo(2);
    assertThat(items(other)).isEqualTo(3);
  }
}
