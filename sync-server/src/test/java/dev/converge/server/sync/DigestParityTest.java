package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.DocDigest;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.db.SchemaMigration;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
class DigestParityTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();

  @TestHTTPResource("/")
  URI server;

  @Inject
  @DataSource(SchemaMigration.MIGRATIONS)
  AgroalDataSource jdbc;

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

  @Test
  void sqlDigests_equalTheCoresComputation_forEveryWriterOfTheState() throws Exception {
    String alice = TestTokens.subject("digest");
    String space = "user:" + alice;
    try (WsClient client = connect(alice, "dg-" + alice)) {
      Map<String, Document> states = pushDocs(client, "dg-" + alice, space, 30);
      try (Connection c = jdbc.getConnection();
          PreparedStatement ps =
              c.prepareStatement(
                  "select doc_id, state, h1, h2, leaf from doc_state where space = ?")) {
        ps.setString(1, space);
        int rows = 0;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows++;
            DocDigest core = DocDigest.ofEncoded(rs.getString(2));
            assertThat(new DocDigest(rs.getLong(3), rs.getLong(4))).isEqualTo(core);
            assertThat(core).isEqualTo(DocDigest.of(states.get(rs.getString(1)), CODEC));
            assertThat(rs.getInt(5)).isEqualTo(DigestTree.leafOf("notes", rs.getString(1)));
          }
        }
        assertThat(rows).isEqualTo(30);
        // Any other writer of the state (counter compaction updates the row through Hibernate)
        // gets the digest recomputed in its own statement.
        String state = "{\"s\":{},\"c\":{\"x\":[3]}}";
        try (PreparedStatement up =
            c.prepareStatement(
                "update doc_state set state = ? where space = ? and doc_id = 'd0' returning h1, h2")) {
          up.setString(1, state);
          up.setString(2, space);
          try (ResultSet rs = up.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(new DocDigest(rs.getLong(1), rs.getLong(2)))
                .isEqualTo(DocDigest.ofEncoded(state));
          }
        }
      }
    }
  }
}
