package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A re-keyed device pushes again, marked {@code resend}, writes the server received under the
 * retired id before another member removed them (their acks lost): the real server and PostgreSQL
 * take them as already reflected and change nothing, the same push unmarked is {@code dot_reused},
 * and a dot the document still holds with other content is {@code dot_reused} even when marked. The
 * original of a copied database, which does not know of the copy, gets the same treatment once the
 * copy declared it as predecessor.
 */
@QuarkusTest
class ResentChangesetTest {

  @TestHTTPResource("/")
  URI server;

  private final String owner = TestTokens.subject("owner");
  private final String other = TestTokens.subject("other");
  private final String space = "team:" + owner;
  private final String retired = "ownerPhone" + Math.abs(owner.hashCode());
  private final String current = retired + "k";
  private final String otherReplica = "otherPhone" + Math.abs(other.hashCode());

  private WsClient session(String subject, String replica, String predecessor)
      throws InterruptedException {
    WsClient client = WsClient.hello(server, subject, space, replica, null, predecessor, List.of());
    client.await(Message.Welcome.class);
    return client;
  }

  private Message.Push push(String replica, long seq, Document delta, boolean resend) {
    return new Message.Push(
        List.of(
            new Changeset(
                replica,
                seq,
                space,
                "carts",
                "main",
                new Hlc(1000, (int) seq),
                delta,
                seq,
                resend)));
  }

  private long quantity(String sku) {
    Number qty =
        given()
            .auth()
            .oauth2(TestTokens.mint(owner, List.of(space), Duration.ofHours(1)))
            .when()
            .get("/v1/spaces/" + space + "/documents/carts/main")
            .then()
            .statusCode(200)
            .extract()
            .path("value.items." + sku + ".qty");
    return qty == null ? 0 : qty.longValue();
  }

  @Test
  void resentWritesTheServerSawRemoved_areAcked_andChangeNothing_unlessTheDotIsHeldOtherwise()
      throws Exception {
    Document device = new Document();
    Document tea = Cart.of(device).add(retired, "tea", 2);
    Document beforeGin = device.copy();
    Document gin = Cart.of(device).add(retired, "gin", 1);
    try (WsClient phone = session(owner, retired, null)) {
      phone.send(push(retired, 1, tea, false));
      assertThat(phone.await(Message.Ack.class).results()).hasSize(1);
      phone.send(push(retired, 2, gin, false));
      assertThat(phone.await(Message.Ack.class).results()).hasSize(1);
    }
    try (WsClient others = session(other, otherReplica, null)) {
      others.send(push(otherReplica, 1, Cart.of(device.copy()).remove("tea"), false));
      assertThat(others.await(Message.Ack.class).results()).hasSize(1);
    }
    assertThat(quantity("tea")).isZero();

    try (WsClient rekeyed = session(owner, current, retired)) {
      rekeyed.send(push(current, 1, tea, false));
      Message.Error reused = rekeyed.awaitSettingAside(Message.Error.class);
      assertThat(reused.code()).isEqualTo("dot_reused");
      assertThat(rekeyed.awaitSettingAside(Message.Ack.class).results()).isEmpty();

      rekeyed.send(push(current, 2, tea, true));
      Message.Ack resent = rekeyed.awaitSettingAside(Message.Ack.class);
      assertThat(resent.upToSeq()).isEqualTo(2);
      assertThat(resent.results()).as("consumed and acked, not refused").hasSize(1);

      Document forked = Cart.of(beforeGin.copy()).add(retired, "gin", 9);
      rekeyed.send(push(current, 3, forked, true));
      Message.Error fork = rekeyed.awaitSettingAside(Message.Error.class);
      assertThat(fork.code()).isEqualTo("dot_reused");
      assertThat(fork.ref()).isEqualTo(3);
      assertThat(rekeyed.awaitSettingAside(Message.Ack.class).results()).isEmpty();
    }
    assertThat(quantity("tea")).as("the remove stands").isZero();
    assertThat(quantity("gin")).as("the held write, not the fork's").isEqualTo(1);
  }

  @Test
  void originalOfACopiedDatabase_pushingWhatTheCopyDeliveredAndOthersRemoved_isAcked()
      throws Exception {
    // Both files hold the unsent add of tea under the original id; the copy re-keyed at open.
    Document tea = Cart.of(new Document()).add(retired, "tea", 2);
    try (WsClient copy = session(owner, current, retired)) {
      copy.send(push(current, 1, tea, true));
      assertThat(copy.await(Message.Ack.class).results()).hasSize(1);
    }
    assertThat(quantity("tea")).isEqualTo(2);
    Document seen = new Document();
    seen.join(tea);
    try (WsClient others = session(other, otherReplica, null)) {
      others.send(push(otherReplica, 1, Cart.of(seen).remove("tea"), false));
      assertThat(others.await(Message.Ack.class).results()).hasSize(1);
    }

    // The original does not know it was copied: it pushes its row under its own id, unmarked.
    try (WsClient original = session(owner, retired, null)) {
      original.send(push(retired, 1, tea, false));
      Message.Ack ack = original.awaitSettingAside(Message.Ack.class);
      assertThat(ack.upToSeq()).isEqualTo(1);
      assertThat(ack.results()).as("acked, not refused as a reused dot").hasSize(1);
    }
    assertThat(quantity("tea")).as("the remove stands").isZero();
  }
}
