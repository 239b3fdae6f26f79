package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Profile;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The document re-read ({@code fetch} / {@code docs}): the server's current states of the named
 * documents, only for a granted space, within its bounds.
 */
@QuarkusTest
class DocumentFetchTest {

  @TestHTTPResource("/")
  URI server;

  @Test
  void refusedOverwrite_fetchReturnsTheServersValue_withTheRefusedDotsInItsContext()
      throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "p-" + alice;
    Document local = new Document();
    Document first =
        Profile.of(local).set(replica, "name", TextNode.valueOf("Ada"), new Hlc(1000, 0));
    // The overwrite claims a dot the document never saw in its context: the change is refused.
    Document refused =
        local.writeRegister(replica, List.of("name"), TextNode.valueOf("Eve"), new Hlc(2000, 0));
    refused.context().add("R2hvc3RSZXBsaWNh", 5);
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      client.expect(Message.Welcome.class);
      client.send(
          new Message.Push(
              List.of(
                  new Changeset(replica, 1, space, "profiles", "me", new Hlc(1000, 0), first),
                  new Changeset(replica, 2, space, "profiles", "me", new Hlc(2000, 0), refused))));
      assertThat(client.expect(Message.Error.class).code()).isEqualTo("context_forged");
      assertThat(client.expect(Message.Ack.class).upToSeq()).isEqualTo(2);
      assertThat(Profile.of(local).get("name")).contains(TextNode.valueOf("Eve"));

      client.send(
          new Message.Fetch(
              7,
              space,
              List.of(
                  new MessageParts.DocName("profiles", "me"),
                  new MessageParts.DocName("profiles", "none"))));
      Message.Docs docs = client.expect(Message.Docs.class);

      assertThat(docs.ref()).isEqualTo(7);
      assertThat(docs.space()).isEqualTo(space);
      assertThat(docs.head()).isEqualTo(2);
      assertThat(docs.docs())
          .extracting(MessageParts.SnapshotDoc::docId)
          .containsExactly("me", "none");
      Document state = docs.docs().get(0).state().document();
      assertThat(Profile.of(state).get("name")).contains(TextNode.valueOf("Ada"));
      // The context-only entry of the refusal: the refused dots are covered, so joining the
      // device's local state back in cannot resurrect the refused value.
      assertThat(state.context().contains(new dev.converge.core.crdt.Dot(replica, 2))).isTrue();
      assertThat(docs.docs().get(1).state().document()).isEqualTo(new Document());
    }
  }

  @Test
  void fetchOfASpaceNotGranted_isForbidden_withoutRef_andSendsNothing() throws Exception {
    String alice = TestTokens.subject("alice");
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, "p-" + alice, List.of()));
      client.expect(Message.Welcome.class);
      client.send(
          new Message.Fetch(
              3, "user:someone-else", List.of(new MessageParts.DocName("profiles", "me"))));
      Message.Error error = client.expect(Message.Error.class);
      assertThat(error.code()).isEqualTo("forbidden_space");
      assertThat(error.ref()).isNull();
      // The session goes on: a granted fetch is answered next.
      client.send(new Message.Fetch(4, "user:" + alice, List.of()));
      assertThat(client.expect(Message.Docs.class).ref()).isEqualTo(4);
    }
  }

  @Test
  void fetchBeyondTheDocumentBound_isFetchTooLarge_withItsRef() throws Exception {
    String alice = TestTokens.subject("alice");
    List<MessageParts.DocName> names =
        IntStream.range(0, 101).mapToObj(i -> new MessageParts.DocName("c", "d" + i)).toList();
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, "p-" + alice, List.of()));
      client.expect(Message.Welcome.class);
      client.send(new Message.Fetch(9, "user:" + alice, names));
      Message.Error error = client.expect(Message.Error.class);
      assertThat(error.code()).isEqualTo("fetch_too_large");
      assertThat(error.ref()).isEqualTo(9);
      // At the bound it is served.
      client.send(new Message.Fetch(10, "user:" + alice, names.subList(0, 100)));
      assertThat(client.expect(Message.Docs.class).docs()).hasSize(100);
    }
  }

  @Test
  void fetchBeyondTheByteBudget_isFetchTooLarge_whileEachDocumentAloneIsServed() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "p-" + alice;
    String big = "x".repeat(60_000);
    List<Changeset> changesets = new ArrayList<>();
    // Two documents of about 180 KB each: together beyond the test page budget of 256 KiB.
    for (int d = 0; d < 2; d++) {
      Document doc = new Document();
      Document delta = new Document();
      for (int f = 0; f < 3; f++) {
        delta.join(
            doc.writeRegister(replica, List.of("f" + f), TextNode.valueOf(big), new Hlc(1, 0)));
      }
      changesets.add(new Changeset(replica, d + 1, space, "blobs", "b" + d, new Hlc(1, 0), delta));
    }
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      client.expect(Message.Welcome.class);
      for (Changeset changeset : changesets) {
        client.send(new Message.Push(List.of(changeset)));
        assertThat(client.expect(Message.Ack.class).results()).hasSize(1);
      }
      List<MessageParts.DocName> both =
          List.of(new MessageParts.DocName("blobs", "b0"), new MessageParts.DocName("blobs", "b1"));
      client.send(new Message.Fetch(1, space, both));
      Message.Error error = client.expect(Message.Error.class);
      assertThat(error.code()).isEqualTo("fetch_too_large");
      assertThat(error.ref()).isEqualTo(1);
      for (int d = 0; d < 2; d++) {
        client.send(new Message.Fetch(2 + d, space, both.subList(d, d + 1)));
        Message.Docs docs = client.expect(Message.Docs.class);
        assertThat(docs.docs()).hasSize(1);
        assertThat(docs.docs().get(0).state().document()).isEqualTo(changesets.get(d).delta());
      }
    }
  }
}
