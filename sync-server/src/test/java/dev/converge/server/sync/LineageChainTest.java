package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A hello's {@code lineage} against the real server and PostgreSQL: a copy of a database whose
 * middle id never said hello still delivers the oldest id's writes, a hello without the chain does
 * not, and nobody can chain another user's replica.
 */
@QuarkusTest
class LineageChainTest {

  @TestHTTPResource("/")
  URI server;

  private final String owner = TestTokens.subject("owner");
  private final String space = "team:" + owner;
  private final String tag = Integer.toHexString(owner.hashCode());

  private WsClient session(String subject, String replica, String predecessor, List<String> older) {
    return WsClient.hello(server, subject, space, replica, null, predecessor, older);
  }

  /** One cart add by the oldest id and one by the middle id, as the copied file holds them. */
  private Document unsentOfBothOlderIds(String oldest, String middle) {
    Document cart = new Document();
    Document delta = Cart.of(cart).add(oldest, "tea", 2);
    delta.join(Cart.of(cart).add(middle, "gin", 1));
    return delta;
  }

  private Message.Push pushTo(String replica, Document delta) {
    return new Message.Push(
        List.of(new Changeset(replica, 1, space, "carts", "main", new Hlc(1000, 1), delta)));
  }

  @Test
  void copyNamingTheWholeChain_deliversTheOldestIdsWrites() throws Exception {
    String oldest = "oldestId" + tag;
    String middle = "middleId" + tag;
    String copy = "copyId" + tag;
    try (WsClient client = session(owner, copy, middle, List.of(oldest))) {
      client.await(Message.Welcome.class);
      client.send(pushTo(copy, unsentOfBothOlderIds(oldest, middle)));
      Message.Ack ack = client.awaitSettingAside(Message.Ack.class);
      assertThat(ack.results()).as("applied, no dot_forged").hasSize(1);
    }
  }

  @Test
  void copyNamingOnlyItsNearestPredecessor_hasTheOldestIdsDotsRefused() throws Exception {
    String oldest = "oldestIdB" + tag;
    String middle = "middleIdB" + tag;
    String copy = "copyIdB" + tag;
    try (WsClient client = session(owner, copy, middle, List.of())) {
      client.await(Message.Welcome.class);
      client.send(pushTo(copy, unsentOfBothOlderIds(oldest, middle)));
      Message.Error error = client.awaitSettingAside(Message.Error.class);
      assertThat(error.code()).isEqualTo("dot_forged");
      assertThat(error.message()).contains(oldest);
    }
  }

  @Test
  void aChainThroughAnotherUsersReplica_isRefused_andGrantsNothing() throws Exception {
    String victimReplica = "victimId" + tag;
    String victim = TestTokens.subject("victim");
    try (WsClient victims = session(victim, victimReplica, null, List.of())) {
      victims.await(Message.Welcome.class);
      // A replica id becomes its user's with its first push.
      victims.send(pushTo(victimReplica, Cart.of(new Document()).add(victimReplica, "tea", 1)));
      assertThat(victims.awaitSettingAside(Message.Ack.class).results()).hasSize(1);
    }
    String middle = "middleIdC" + tag;
    String thief = "thiefId" + tag;
    try (WsClient client = session(owner, thief, middle, List.of(victimReplica))) {
      Message.Error error = client.await(Message.Error.class);
      assertThat(error.code()).isEqualTo("replica_forged");
      assertThat(error.message()).contains(victimReplica);
      client.await(Message.Welcome.class);
      Document stolen = Cart.of(new Document()).add(victimReplica, "gold", 9);
      client.send(pushTo(thief, stolen));
      assertThat(client.awaitSettingAside(Message.Error.class).code()).isEqualTo("dot_forged");
    }
  }
}
