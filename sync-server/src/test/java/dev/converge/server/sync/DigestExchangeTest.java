package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.DocDigest;
import dev.converge.core.digest.SpaceDigest;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.db.SchemaMigration;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The digest exchange against the real server and PostgreSQL: the SQL digests equal the core's, the
 * tree narrows a difference down to its documents, and the aggregates answer every node.
 */
@QuarkusTest
class DigestExchangeTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();

  @TestHTTPResource("/")
  URI server;

  @Inject
  @DataSource(SchemaMigration.MIGRATIONS)
  AgroalDataSource jdbc;

  @Inject MeterRegistry registry;

  private double repaired(String direction) {
    return registry
        .get("converge.antientropy.repaired.documents")
        .tag("direction", direction)
        .counter()
        .count();
  }

  /** Sends the leaf digest of {@code leaf} with the device's {@code device} documents there. */
  private static Message.Digests leaf(
      WsClient client, int ref, String space, String leaf, Map<String, Document> device)
      throws InterruptedException {
    List<MessageParts.DigestDoc> docs = new ArrayList<>();
    device.forEach(
        (id, doc) -> {
          if (DigestTree.leafPath(DigestTree.leafOf("notes", id)).equals(leaf)) {
            docs.add(new MessageParts.DigestDoc("notes", id, DocDigest.of(doc, CODEC).hex()));
          }
        });
    client.send(new Message.Digest(ref, space, leaf, List.of(), docs));
    return client.expect(Message.Digests.class);
  }

  /** Pushes {@code count} documents of varied content; returns their states by docId. */
  private Map<String, Document> pushDocs(WsClient client, String replica, String space, int count)
      throws InterruptedException {
    Map<String, Document> states = new LinkedHashMap<>();
    List<Changeset> changesets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Document doc = new Document();
      Document delta =
          i % 3 == 0
              ? doc.addToCounter(replica, List.of("views"), i + 1)
              : i % 3 == 1
                  ? doc.addToSet(replica, List.of("tags"), "t" + i)
                  : doc.writeRegister(
                      replica, List.of("name"), TextNode.valueOf("n" + i), new Hlc(1000 + i, 0));
      doc.join(delta);
      states.put("d" + i, doc);
      changesets.add(
          new Changeset(replica, i + 1, space, "notes", "d" + i, new Hlc(1000 + i, 0), delta));
    }
    client.send(new Message.Push(changesets));
    assertThat(client.await(Message.Ack.class).upToSeq()).isEqualTo(count);
    return states;
  }

  private WsClient connect(String subject, String replica) throws Exception {
    WsClient client = WsClient.connect(server, TestTokens.mint(subject));
    client.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
    client.expect(Message.Welcome.class);
    return client;
  }

  private static SpaceDigest treeOf(Map<String, Document> states) {
    SpaceDigest tree = new SpaceDigest();
    states.forEach((id, doc) -> tree.add("notes", id, DocDigest.of(doc, CODEC)));
    return tree;
  }

  @Test
  void identicalState_answersEqualHashes_andADifferenceNarrowsDownToItsDocument() throws Exception {
    String bob = TestTokens.subject("digest");
    String space = "user:" + bob;
    try (WsClient client = connect(bob, "db-" + bob)) {
      Map<String, Document> states = pushDocs(client, "db-" + bob, space, 40);
      SpaceDigest same = treeOf(states);
      client.send(new Message.Digest(1, space, "", SpaceDigest.wire(same.children("")), List.of()));
      Message.Digests root = client.expect(Message.Digests.class);
      assertThat(root.ref()).isEqualTo(1);
      assertThat(root.hashes()).isEqualTo(SpaceDigest.wire(same.children("")));

      // The device lost d7's row and holds an extra document the server never had.
      Map<String, Document> device = new LinkedHashMap<>(states);
      device.remove("d7");
      Document extra = new Document();
      extra.join(extra.addToSet("someone", List.of("tags"), "x"));
      device.put("zz", extra);
      SpaceDigest mine = treeOf(device);
      List<String> frontier = List.of("");
      Map<String, String> found = new LinkedHashMap<>();
      int ref = 10;
      for (int level = 0; level < DigestTree.DEPTH; level++) {
        List<String> next = new ArrayList<>();
        for (String path : frontier) {
          List<String> hashes = SpaceDigest.wire(mine.children(path));
          client.send(new Message.Digest(ref++, space, path, hashes, List.of()));
          Message.Digests answer = client.expect(Message.Digests.class);
          assertThat(answer.path()).isEqualTo(path);
          next.addAll(DigestTree.differing(path, hashes, answer.hashes()));
        }
        frontier = next;
      }
      assertThat(frontier)
          .containsExactlyInAnyOrder(
              DigestTree.leafPath(DigestTree.leafOf("notes", "d7")),
              DigestTree.leafPath(DigestTree.leafOf("notes", "zz")));
      for (String leaf : frontier) {
        List<MessageParts.DigestDoc> docs = new ArrayList<>();
        device.forEach(
            (id, doc) -> {
              if (DigestTree.leafPath(DigestTree.leafOf("notes", id)).equals(leaf)) {
                docs.add(new MessageParts.DigestDoc("notes", id, DocDigest.of(doc, CODEC).hex()));
              }
            });
        client.send(new Message.Digest(ref++, space, leaf, List.of(), docs));
        Message.Digests answer = client.expect(Message.Digests.class);
        assertThat(answer.more()).isFalse();
        answer.docs().forEach(d -> found.put(d.docId(), d.hash()));
      }
      assertThat(found)
          .containsOnlyKeys("d7", "zz")
          .containsEntry("d7", DocDigest.of(states.get("d7"), CODEC).hex())
          .containsEntry("zz", null);
    }
  }

  /**
   * A reported difference counts as repaired only when the session's following exchange finds the
   * document equal: at its leaf, or under an inner node found equal; once, in the direction the
   * state had to travel (docs/operations.md, "ConvergeRepairsHigh").
   */
  @Test
  void repairedCounts_whenTheFollowingExchangeFindsTheDocumentEqual_once() throws Exception {
    String ann = TestTokens.subject("digest");
    String space = "user:" + ann;
    String replica = "dr-" + ann;
    try (WsClient client = connect(ann, replica)) {
      Map<String, Document> states = pushDocs(client, replica, space, 40);
      Map<String, Document> device = new LinkedHashMap<>(states);
      device.remove("d7");
      Document extra = new Document();
      Document extraDelta = extra.addToSet(replica, List.of("tags"), "x");
      extra.join(extraDelta);
      device.put("zz", extra);
      String lostLeaf = DigestTree.leafPath(DigestTree.leafOf("notes", "d7"));
      String extraLeaf = DigestTree.leafPath(DigestTree.leafOf("notes", "zz"));
      assertThat(lostLeaf).isNotEqualTo(extraLeaf);
      double toDevice = repaired("to_device");
      double toServer = repaired("to_server");

      assertThat(leaf(client, 1, space, lostLeaf, device).docs())
          .extracting(MessageParts.DigestDoc::docId)
          .containsExactly("d7");
      assertThat(leaf(client, 2, space, extraLeaf, device).docs())
          .extracting(MessageParts.DigestDoc::docId)
          .containsExactly("zz");
      // Reported, not repaired yet; asking again while still different counts nothing either.
      assertThat(leaf(client, 3, space, lostLeaf, device).docs()).hasSize(1);
      assertThat(repaired("to_device")).isEqualTo(toDevice);
      assertThat(repaired("to_server")).isEqualTo(toServer);

      // The device took d7 from the server: its following leaf digest matches.
      device.put("d7", states.get("d7"));
      assertThat(leaf(client, 4, space, lostLeaf, device).docs()).isEmpty();
      assertThat(repaired("to_device")).isEqualTo(toDevice + 1);
      assertThat(repaired("to_server")).isEqualTo(toServer);

      // The device pushed zz back: its following exchange finds the whole tree equal at the root.
      client.send(
          new Message.Push(
              List.of(
                  new Changeset(replica, 41, space, "notes", "zz", new Hlc(5000, 0), extraDelta))));
      assertThat(client.await(Message.Ack.class).upToSeq()).isEqualTo(41);
      List<String> root = SpaceDigest.wire(treeOf(device).children(""));
      client.send(new Message.Digest(5, space, "", root, List.of()));
      assertThat(client.expect(Message.Digests.class).hashes()).isEqualTo(root);
      assertThat(repaired("to_server")).isEqualTo(toServer + 1);
      client.send(new Message.Digest(6, space, "", root, List.of()));
      client.expect(Message.Digests.class);
      assertThat(repaired("to_device")).isEqualTo(toDevice + 1);
      assertThat(repaired("to_server")).isEqualTo(toServer + 1);
    }
  }

  @Test
  void everyForgeryAndBound_isRefusedWithItsCode_andTheSessionGoesOn() throws Exception {
    String eve = TestTokens.subject("digest");
    String space = "user:" + eve;
    String sixteen = "[" + String.join(",", java.util.Collections.nCopies(16, "\"\"")) + "]";
    String leaf = DigestTree.leafPath(DigestTree.leafOf("notes", "d1"));
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put(
        "{\"type\":\"digest\",\"ref\":1,\"space\":\"user:someone-else\",\"path\":\"\",\"hashes\":"
            + sixteen
            + ",\"docs\":[]}",
        "forbidden_space");
    cases.put(
        "{\"type\":\"digest\",\"ref\":1,\"space\":\""
            + space
            + "\",\"path\":\"abcd\",\"hashes\":[],\"docs\":[]}",
        "invalid");
    cases.put(
        "{\"type\":\"digest\",\"ref\":1,\"space\":\""
            + space
            + "\",\"path\":\"\",\"hashes\":[\"\"],\"docs\":[]}",
        "invalid");
    cases.put(
        "{\"type\":\"digest\",\"ref\":1,\"space\":\""
            + space
            + "\",\"path\":\"\",\"hashes\":"
            + sixteen.replace("[", "[\"\",")
            + ",\"docs\":[]}",
        "too_large");
    cases.put(
        "{\"type\":\"digest\",\"ref\":1,\"space\":\""
            + space
            + "\",\"path\":\"\",\"hashes\":"
            + sixteen.replaceFirst("\"\"", "\"zz\"")
            + ",\"docs\":[]}",
        "invalid");
    cases.put(
        "{\"type\":\"digest\",\"ref\":1,\"space\":\""
            + space
            + "\",\"path\":\""
            + DigestTree.leafPath((DigestTree.index(leaf) + 1) % DigestTree.LEAVES)
            + "\",\"hashes\":[],\"docs\":[{\"collection\":\"notes\",\"docId\":\"d1\"}]}",
        "invalid");
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= DigestTree.MAX_LEAF_DOCS; i++) {
      many.append(i == 0 ? "" : ",")
          .append("{\"collection\":\"c\",\"docId\":\"x")
          .append(i)
          .append("\"}");
    }
    cases.put(
        "{\"type\":\"digest\",\"ref\":1,\"space\":\""
            + space
            + "\",\"path\":\""
            + leaf
            + "\",\"hashes\":[],\"docs\":["
            + many
            + "]}",
        "too_large");
    cases.put(
        "{\"type\":\"digests\",\"ref\":1,\"space\":\""
            + space
            + "\",\"path\":\"\",\"hashes\":"
            + sixteen
            + ",\"docs\":[]}",
        "invalid");
    try (WsClient client = connect(eve, "de-" + eve)) {
      for (Map.Entry<String, String> c : cases.entrySet()) {
        client.sendRaw(c.getKey());
        Message.Error error = client.expect(Message.Error.class);
        assertThat(error.code()).as(c.getKey()).isEqualTo(c.getValue());
        assertThat(error.ref()).isNull();
      }
      // Still served: an empty space answers empty hashes.
      client.send(
          new Message.Digest(2, space, "", java.util.Collections.nCopies(16, ""), List.of()));
      Message.Digests answer = client.expect(Message.Digests.class);
      assertThat(answer.hashes()).containsOnly("");
    }
  }
}
