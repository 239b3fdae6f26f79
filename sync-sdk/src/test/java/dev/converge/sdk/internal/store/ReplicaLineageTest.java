package dev.converge.sdk.internal.store;

import static dev.converge.sdk.internal.store.SqliteStoreTest.CART;
import static dev.converge.sdk.internal.store.SqliteStoreTest.CODEC;
import static dev.converge.sdk.internal.store.SqliteStoreTest.add;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.DocumentKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every re-key path of the store keeps every unsent write: rows keep their deltas byte for byte,
 * are renumbered under the new id, and the retired id is persisted as the predecessor to declare
 * while any of them is unacked. A purge retires the id whenever it forgets this replica's dots.
 */
class ReplicaLineageTest {

  static final DocumentKey TEAM = new DocumentKey("team:1", "carts", "shared");

  @TempDir Path dir;

  SqliteStore open(Path file) {
    return SqliteStore.open(file, CODEC, System::currentTimeMillis, false);
  }

  static List<String> deltas(List<OutboxRow> rows) {
    return rows.stream().map(OutboxRow::deltaJson).toList();
  }

  @Test
  void rekey_keepsEveryUnsentDeltaByteForByte_renumbered_andDeclaresThePredecessorUntilAcked() {
    Path file = dir.resolve("s.db");
    String retired;
    List<String> before;
    try (SqliteStore store = open(file)) {
      for (int i = 0; i < 5; i++) {
        store.writeLocal(CART, add("sku" + i, 1));
      }
      store.ack(2);
      retired = store.replica().replicaId();
      before = deltas(store.outbox(0, 10));
      assertThat(store.predecessor()).isEmpty();

      store.rekey("seq_gap: test", Redelivery.NONE);

      assertThat(store.replica().replicaId()).isNotEqualTo(retired);
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L, 2L, 3L);
      assertThat(deltas(store.outbox(0, 10))).isEqualTo(before);
      assertThat(store.predecessor()).contains(retired);
      store.writeLocal(CART, add("after", 1));
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L, 2L, 3L, 4L);
    }
    try (SqliteStore store = open(file)) {
      assertThat(store.predecessor()).as("persisted").contains(retired);
      store.ack(2);
      assertThat(store.predecessor())
          .as("a row of the retired id is still unacked")
          .contains(retired);
      store.ack(3);
      assertThat(store.predecessor()).as("only rows of the new id are left").isEmpty();
    }
  }

  @Test
  void copiedDatabase_keepsItsUnsentRows_andDeclaresTheOriginalIdAsPredecessor() throws Exception {
    Path original = dir.resolve("a/s.db");
    String originalId;
    List<String> unsent;
    try (SqliteStore store = open(original)) {
      store.writeLocal(CART, add("apple", 1));
      store.writeLocal(CART, add("pear", 2));
      originalId = store.replica().replicaId();
      unsent = deltas(store.outbox(0, 10));
    }
    Path copy = dir.resolve("b/s.db");
    Files.createDirectories(copy.getParent());
    Files.copy(original, copy);
    try (SqliteStore store = open(copy)) {
      assertThat(store.replica().replicaId()).isNotEqualTo(originalId);
      assertThat(deltas(store.outbox(0, 10))).isEqualTo(unsent);
      assertThat(store.predecessor()).contains(originalId);
    }
  }

  @Test
  void purgeWithUnsentRows_keepsTheOtherSpacesRows_andDeclaresThePredecessor() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      store.writeLocal(CART, add("apple", 1));
      store.writeLocal(TEAM, add("tool", 1));
      store.writeLocal(CART, add("pear", 1));
      String retired = store.replica().replicaId();
      List<String> kept =
          List.of(store.outbox(0, 10).get(0).deltaJson(), store.outbox(0, 10).get(2).deltaJson());

      Purge purge = store.purgeSpace("team:1");

      assertThat(purge.rekeyed()).isTrue();
      assertThat(deltas(store.outbox(0, 10))).isEqualTo(kept);
      assertThat(store.predecessor()).contains(retired);
    }
  }

  @Test
  void purgeOfDocumentsHoldingOwnDots_retiresTheId_soNoDotIsEverReused() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      store.writeLocal(TEAM, add("tool", 1));
      Dot used = ownDots(store.read(TEAM).orElseThrow()).get(0);
      store.ack(1);

      Purge purge = store.purgeSpace("team:1");

      assertThat(purge.rejected()).isEmpty();
      assertThat(purge.rekeyed()).as("the purge forgot dots of this id").isTrue();
      assertThat(store.predecessor()).as("nothing unsent to carry").isEmpty();
      store.writeLocal(TEAM, add("saw", 1));
      List<Dot> fresh = ownDots(store.read(TEAM).orElseThrow());
      assertThat(fresh)
          .singleElement()
          .satisfies(
              dot -> {
                assertThat(dot.replica())
                    .isEqualTo(store.replica().replicaId())
                    .isNotEqualTo(used.replica());
                assertThat(dot).isNotEqualTo(used);
              });
    }
  }

  @Test
  void purgeOfDocumentsWithoutOwnDots_keepsTheId() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      Document remote = new Document();
      Document delta = Cart.of(remote).add("another-replica", "tool", 1);
      store.applyChanges(
          "team:1",
          1,
          List.of(
              new MessageParts.ChangeItem(
                  1, "carts", "shared", delta, new MessageParts.Origin("another-replica", 1))));
      store.writeLocal(CART, add("apple", 1));
      String id = store.replica().replicaId();

      Purge purge = store.purgeSpace("team:1");

      assertThat(purge.documents()).containsExactly(TEAM);
      assertThat(purge.rekeyed()).isFalse();
      assertThat(store.replica().replicaId()).isEqualTo(id);
    }
  }

  @Test
  void chainOfRekeys_namesTheNearestIdThatStillHasUnsentRows() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      store.writeLocal(CART, add("a", 1));
      String first = store.replica().replicaId();
      store.rekey("first", Redelivery.NONE);
      String second = store.replica().replicaId();
      // The second id wrote nothing: its successor names the first, whose dots are still in flight.
      store.rekey("second, before any write", Redelivery.NONE);
      assertThat(store.predecessor()).contains(first);

      store.writeLocal(CART, add("b", 1));
      String third = store.replica().replicaId();
      assertThat(third).isNotEqualTo(second);
      store.rekey("third, after a write", Redelivery.NONE);
      // The third id has an unsent row of its own: its successor names it, the server follows the
      // chain.
      assertThat(store.predecessor()).contains(third);
      // ... and names the chain beyond it too, in case the third id never said hello.
      assertThat(store.olderPredecessors()).containsExactly(first);
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L, 2L);
      store.ack(2);
      assertThat(store.predecessor()).isEmpty();
      assertThat(store.olderPredecessors()).isEmpty();
    }
  }

  @Test
  void olderPredecessors_growOneStepPerRekeyThatNamesTheRetiringId_andSurviveReopen() {
    Path file = dir.resolve("chain.db");
    List<String> ids = new ArrayList<>();
    try (SqliteStore store = open(file)) {
      for (int i = 0; i < 4; i++) {
        store.writeLocal(CART, add("sku" + i, 1));
        ids.add(store.replica().replicaId());
        store.rekey("step " + i, Redelivery.NONE);
      }
      assertThat(store.predecessor()).contains(ids.get(3));
      assertThat(store.olderPredecessors()).containsExactly(ids.get(2), ids.get(1), ids.get(0));
    }
    try (SqliteStore store = open(file)) {
      assertThat(store.olderPredecessors()).containsExactly(ids.get(2), ids.get(1), ids.get(0));
    }
  }

  @Test
  void storeReKeyedByAnOlderSdk_declaresItsPredecessorForEveryRowThenInTheOutbox()
      throws Exception {
    Path file = dir.resolve("s.db");
    try (SqliteStore store = open(file)) {
      store.writeLocal(CART, add("a", 1));
      store.writeLocal(CART, add("b", 1));
    }
    // What the previous SDK left after a re-key: the retired id, and no lineage record.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      st.execute("INSERT INTO meta (key, value) VALUES ('previous_replica_id', 'older-id')");
      st.execute("DELETE FROM meta WHERE key = 'lineage_until_seq'");
    }
    try (SqliteStore store = open(file)) {
      assertThat(store.predecessor()).contains("older-id");
      store.writeLocal(CART, add("c", 1));
      store.ack(2);
      assertThat(store.predecessor()).isEmpty();
    }
  }

  private static List<Dot> ownDots(Document doc) {
    List<Dot> dots = new ArrayList<>();
    doc.root().forEachDot(dots::add);
    return dots;
  }
}
