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
import java.time.Duration;
import java.util.List;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.reactive.mutiny.Mutiny;
import org.junit.jupiter.api.Test;

/**
 * Pushes keep Hibernate's query plan cache bounded (see {@code PlanCacheBypass}): before the fix,
 * every native select of the push path stored one more plan at every run, three per push, all under
 * one hash, and each lookup walked them. Pushes through the same few statement shapes, on both push
 * paths (a push into one space goes through its group commit, a push spanning spaces through a
 * transaction of its own), must add only a handful of plans.
 */
@QuarkusTest
class QueryPlanCacheTest {

  private static final int PUSHES = 150;

  @TestHTTPResource("/")
  URI server;

  @Inject Mutiny.SessionFactory factory;

  private int cachedPlans() {
    SessionFactoryImplementor implementor =
        (SessionFactoryImplementor) factory.getCache().getSessionFactory();
    return implementor.getQueryEngine().getInterpretationCache().getNumberOfCachedQueryPlans();
  }

  @Test
  void manyPushesThroughTheSameStatements_addOnlyAHandfulOfPlans() throws Exception {
    String user = TestTokens.subject("plans");
    String space = "user:" + user;
    String other = "team:" + user;
    String replica = "planPhone" + Math.abs(user.hashCode());
    Document cart = new Document();
    try (WsClient client =
        WsClient.connect(
            server, TestTokens.mint(user, List.of(space, other), Duration.ofHours(1)))) {
      client.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              replica,
              List.of(new MessageParts.Subscription(space, 0)),
              null));
      client.await(Message.Welcome.class);
      // Warm-up: the first pushes of a replica and of a space run statements of their own.
      push(client, List.of(change(replica, space, cart, 1)), 1);
      push(client, List.of(change(replica, space, cart, 2), change(replica, other, cart, 3)), 3);
      int before = cachedPlans();
      long seq = 3;
      while (seq < PUSHES) {
        if (seq % 2 == 0) {
          push(client, List.of(change(replica, space, cart, ++seq)), seq);
        } else {
          Changeset first = change(replica, space, cart, ++seq);
          Changeset second = change(replica, other, cart, ++seq);
          push(client, List.of(first, second), seq);
        }
      }
      int added = cachedPlans() - before;
      assertThat(added)
          .as("query plans added by %d changesets through the same statement shapes", seq - 3)
          .isLessThan(20);
    }
  }

  private static Changeset change(String replica, String space, Document cart, long seq) {
    Document delta = Cart.of(cart).add(replica, "sku-" + seq % 7, 1);
    cart.join(delta);
    return new Changeset(replica, seq, space, "carts", "main", new Hlc(1000, (int) seq), delta);
  }

  private static void push(WsClient client, List<Changeset> changesets, long upTo)
      throws InterruptedException {
    client.send(new Message.Push(changesets));
    Message.Ack ack = client.await(Message.Ack.class);
    assertThat(ack.upToSeq()).isEqualTo(upTo);
  }
}
