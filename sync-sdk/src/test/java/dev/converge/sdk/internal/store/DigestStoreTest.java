package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.DocDigest;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.trust.DeltaVerifier;
import dev.converge.core.trust.Lineage;
import dev.converge.sdk.DocumentKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's digests (schema 5): kept with every saved state, given to an older file's documents
 * by the migration, corrected by the scrub when a state changed behind the store's back, and the
 * digest repair that replaces a state while giving back only the replica's own lost writes.
 */
class DigestStoreTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();
  private static final String SPACE = "user:alice";
  private static final DocumentKey CART = new DocumentKey(SPACE, "carts", "main");
  private static final DocumentKey NOTE = new DocumentKey(SPACE, "notes", "n1");

  @TempDir Path dir;

  private static SqliteStore open(Path file) {
    return SqliteStore.open(file, CODEC, System::currentTimeMillis, false);
  }

  private static String[] row(Path file, DocumentKey key) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT state, digest, leaf FROM documents WHERE doc_id = '" + key.docId() + "'")) {
      assertThat(rs.next()).isTrue();
      return new String[] {rs.getString(1), rs.getString(2), rs.getString(3)};
    }
  }

  private static void sql(Path file, String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private static void assertDigestOfState(Path file, DocumentKey key) throws Exception {
    String[] r = row(file, key);
    assertThat(r[1]).isEqualTo(DocDigest.ofEncoded(r[0]).hex());
    assertThat(Integer.parseInt(r[2])).isEqualTo(DigestTree.leafOf(key.collection(), key.docId()));
  }

  @Test
  void everySavedState_hasItsDigest_andTheTreeCountsTheDocuments() throws Exception {
    Path file = dir.resolve("d.db");
    try (SqliteStore store = open(file)) {
      store.writeLocal(CART, SqliteStoreTest.add("apple", 2));
      store.writeLocal(
          NOTE,
          (doc, replica, hlc) ->
              doc.writeRegister(replica, List.of("title"), TextNode.valueOf("Ada"), hlc));
      assertThat(store.digestTree(SPACE).node("").count()).isEqualTo(2);
      assertThat(store.leafDigests(SPACE, DigestTree.leafOf("carts", "main"), 10))
          .containsKey(CART);
    }
    assertDigestOfState(file, CART);
    assertDigestOfState(file, NOTE);
  }

  @Test
  void aFileOfTheSchemaBeforeDigests_getsThemFromTheMigration() throws Exception {
    Path file = dir.resolve("v6.db");
    try (SqliteStore store = open(file)) {
      store.writeLocal(CART, SqliteStoreTest.add("apple", 2));
    }
    sql(
        file,
        "DROP INDEX documents_by_leaf",
        "ALTER TABLE documents DROP COLUMN digest",
        "ALTER TABLE documents DROP COLUMN leaf",
        "DROP INDEX outbox_unfolded",
        "ALTER TABLE outbox DROP COLUMN folded",
        "PRAGMA user_version = 6");
    try (SqliteStore store = open(file)) {
      assertThat(store.digestTree(SPACE).node("").count()).isEqualTo(1);
    }
    assertDigestOfState(file, CART);
  }

  @Test
  void aStateChangedBehindTheStoresBack_isFoundByTheScrub() throws Exception {
    Path file = dir.resolve("s.db");
    try (SqliteStore store = open(file)) {
      store.writeLocal(
          NOTE,
          (doc, replica, hlc) ->
              doc.writeRegister(replica, List.of("title"), TextNode.valueOf("Ada"), hlc));
    }
    String before = row(file, NOTE)[1];
    sql(file, "UPDATE documents SET state = replace(state, '\"Ada\"', '\"Eve\"')");
    try (SqliteStore store = open(file)) {
      assertThat(store.scrubDigests(SPACE, 100)).isEqualTo(1);
      assertThat(store.scrubDigests(SPACE, 100)).isZero();
    }
    assertThat(row(file, NOTE)[1]).isNotEqualTo(before);
    assertDigestOfState(file, NOTE);
  }

  @Test
  void digestRepair_takesTheServersState_andQueuesOnlyOwnLostWrites() throws Exception {
    Path file = dir.resolve("r.db");
    try (SqliteStore store = open(file)) {
      String me = store.replica().replicaId();
      store.writeLocal(CART, SqliteStoreTest.add("apple", 2));
      store.ack(store.replica().nextSeq() - 1);
      // The server lost the apple, and holds another replica's pear this device never saw.
      Document server = new Document();
      server.join(
          server.writeRegister(
              "otherReplica01", List.of("title"), TextNode.valueOf("x"), new Hlc(5, 0)));
      DigestRepair repair =
          store.applyDigestRepair(
              SPACE, List.of(new MessageParts.SnapshotDoc("carts", "main", server)));

      assertThat(repair.repushed()).isEqualTo(1);
      assertThat(repair.foreignDots()).isZero();
      List<OutboxRow> rows = store.outbox(0, 10);
      assertThat(rows).hasSize(1);
      Document delta = CODEC.decodeDocument(rows.get(0).deltaJson());
      assertThat(new DeltaVerifier(1L << 31).verify(server, delta, Lineage.of(me))).isEmpty();
      Document local = store.read(CART).orElseThrow();
      assertThat(local).isEqualTo(Document.joined(server, delta));
      assertThat(store.digestTree(SPACE).node("").count()).isEqualTo(1);
      assertThat(Map.of("n", local.context().max(me))).containsEntry("n", 1L);
    }
  }
}
