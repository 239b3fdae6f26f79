package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, case 7, against the real server and PostgreSQL: a field removed and re-created as
 * another type, pushed as one delta-group, is acked and gives the same document as the same steps
 * pushed one by one (the join is total: entries keyed by (name, type)); a follower catching up gets
 * the document as one delta-group per document, whose join equals the writer's state. The documents
 * are in a collection without write rules: a cart's {@code items} may only be a map of counters
 * (access-control.md), while the join itself must stay total for any collection.
 */
@QuarkusTest
class TypeChangeTest {

  private static final ProtocolCodec STORED = new ProtocolCodec().forStoredData();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestHTTPResource("/")
  URI server;

  @Test
  void removeAndRecreateAsAnotherType_asOneDeltaGroup_equalsTheStepsOneByOne() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "phone" + Math.abs(alice.hashCode());
    String token = TestTokens.mint(alice);

    Document grouped = new Document();
    Document add = Cart.of(grouped).add(replica, "coffee", 2);
    Document group =
        Document.joined(
            grouped.remove(List.of("items")),
            grouped.writeRegister(replica, List.of("items"), TextNode.valueOf("none"), hlc(2)));

    Document stepped = new Document();
    List<Document> steps =
        List.of(
            Cart.of(stepped).add(replica, "coffee", 2),
            stepped.remove(List.of("items")),
            stepped.writeRegister(replica, List.of("items"), TextNode.valueOf("none"), hlc(2)));

    try (WsClient phone = WsClient.connect(server, token)) {
      phone.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      phone.expect(Message.Welcome.class);
      List<Changeset> push = new ArrayList<>();
      push.add(changeset(replica, 1, space, "grouped", add));
      push.add(changeset(replica, 2, space, "grouped", group));
      for (int i = 0; i < steps.size(); i++) {
        push.add(changeset(replica, 3 + i, space, "stepped", steps.get(i)));
      }
      phone.send(new Message.Push(push));
      Message.Ack ack = phone.await(Message.Ack.class);
      assertThat(ack.upToSeq()).isEqualTo(5);
      assertThat(ack.results()).as("every changeset applied, none refused").hasSize(5);
    }

    JsonNode groupedView = view(token, space, "grouped");
    JsonNode steppedView = view(token, space, "stepped");
    assertThat(groupedView.get("value")).isEqualTo(JSON.readTree("{\"items\":\"none\"}"));
    assertThat(steppedView.get("value")).isEqualTo(groupedView.get("value"));
    assertThat(STORED.decodeDocument(groupedView.get("state").toString())).isEqualTo(grouped);
    assertThat(STORED.decodeDocument(steppedView.get("state").toString())).isEqualTo(stepped);

    // A follower catching up from 0 joins each document's delta-group: the writer's states.
    try (WsClient laptop = WsClient.connect(server, token)) {
      laptop.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "laptop" + Math.abs(alice.hashCode()),
              List.of(new MessageParts.Subscription(space, 0))));
      laptop.expect(Message.Welcome.class);
      Map<String, Document> joined = new HashMap<>();
      Message.Changes changes;
      do {
        changes = laptop.expect(Message.Changes.class);
        for (MessageParts.ChangeItem item : changes.items()) {
          joined.computeIfAbsent(item.docId(), d -> new Document()).join(item.delta().document());
        }
      } while (changes.more());
      assertThat(joined.get("grouped")).isEqualTo(grouped);
      assertThat(joined.get("stepped")).isEqualTo(stepped);
    }
  }

  private static Hlc hlc(long millis) {
    return new Hlc(1_764_065_400_000L + millis, 0);
  }

  private static Changeset changeset(
      String replica, long seq, String space, String docId, Document delta) {
    return new Changeset(replica, seq, space, "notes", docId, hlc(seq), delta);
  }

  private static JsonNode view(String token, String space, String docId) throws Exception {
    String body =
        given()
            .auth()
            .oauth2(token)
            .when()
            .get("/v1/spaces/" + space + "/documents/notes/" + docId)
            .then()
            .statusCode(200)
            .extract()
            .asString();
    return JSON.readTree(body);
  }
}
