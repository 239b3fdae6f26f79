package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.RegisterValue;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {

  static final ProtocolCodec CODEC = new ProtocolCodec();
  static final DocumentKey CART = new DocumentKey("user:alice", "carts", "main");

  @TempDir Path dir;

  SqliteStore open(Path file) {
    return SqliteStore.open(file, CODEC, System::currentTimeMillis, false);
  }

  static LocalMutation add(String sku, long n) {
    return (doc, replica, hlc) -> Cart.of(doc).add(replica, sku, n);
  }

  @Test
  void localWrite_joinsStateAndAppendsOutboxRow_andSurvivesReopen() {
    Path file = dir.resolve("s.db");
    String replica;
    try (SqliteStore store = open(file)) {
      replica = store.replica().replicaId();
      OutboxRow row = store.writeLocal(CART, add("apple", 2)).orElseThrow();
      assertThat(row.seq()).isEqualTo(1);
      store.writeLocal(CART, add("pear", 1));
    }
    try (SqliteStore store = open(file)) {
      assertThat(store.replica().replicaId()).isEqualTo(replica);
      assertThat(store.replica().nextSeq()).isEqualTo(3);
      assertThat(Cart.of(store.read(CART).orElseThrow()).items())
          .containsEntry("apple", 2L)
          .containsEntry("pear", 1L);
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L, 2L);
      // The outbox deltas, joined from nothing, rebuild the state.
      Document rebuilt = new Document();
      store.outbox(0, 10).forEach(r -> rebuilt.join(CODEC.decodeDocument(r.deltaJson())));
      assertThat(rebuilt).isEqualTo(store.read(CART).orElseThrow());
    }
  }

  @Test
  void failedMutation_storesNothing() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      store.writeLocal(CART, add("apple", 1));
      assertThatThrownBy(
              () ->
                  store.writeLocal(
                      CART,
                      (doc, replica, hlc) ->
                          doc.addToCounter(replica, List.of("items", "apple", "qty"), 1L << 40)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(store.pendingCount()).isEqualTo(1);
      assertThat(store.replica().nextSeq()).isEqualTo(2);
      assertThat(store.writeLocal(CART, (doc, replica, hlc) -> new Document())).isEmpty();
      assertThat(store.pendingCount()).isEqualTo(1);
    }
  }

  @Test
  void mutationThatChangesTheDocumentThenFails_leavesNoTraceInLaterReadsOrWrites() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      store.writeLocal(CART, add("apple", 1));
      Document before = store.read(CART).orElseThrow();
      assertThatThrownBy(
              () ->
                  store.writeLocal(
                      CART,
                      (doc, replica, hlc) -> {
                        Cart.of(doc).add(replica, "ghost", 5);
                        throw new IllegalStateException("app failed mid-write");
                      }))
          .isInstanceOf(IllegalStateException.class);
      assertThat(store.read(CART)).contains(before);
      store.writeLocal(CART, add("pear", 1));
      assertThat(Cart.of(store.read(CART).orElseThrow()).items()).containsOnlyKeys("apple", "pear");
    }
  }

  @Test
  void batch_commitsEveryWriteTogether_asContiguousOutboxRows() {
    DocumentKey other = new DocumentKey("user:alice", "carts", "other");
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      store.writeLocal(CART, add("apple", 1));
      store.batch(
          () -> {
            store.writeLocal(CART, add("pear", 2));
            store.writeLocal(other, add("fig", 1));
            // Reads inside the batch see its own writes.
            assertThat(Cart.of(store.read(CART).orElseThrow()).items())
                .containsOnlyKeys("apple", "pear");
          });
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L, 2L, 3L);
      assertThat(Cart.of(store.read(other).orElseThrow()).items()).containsOnlyKeys("fig");
    }
  }

  @Test
  void batchThatFails_keepsNothing_andLaterWritesContinueTheSeqs() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      store.writeLocal(CART, add("apple", 1));
      assertThatThrownBy(
              () ->
                  store.batch(
                      () -> {
                        store.writeLocal(CART, add("pear", 2));
                        store.writeLocal(CART, add("plum", 1));
                        throw new IllegalStateException("app failed mid-batch");
                      }))
          .isInstanceOf(IllegalStateException.class);
      assertThat(Cart.of(store.read(CART).orElseThrow()).items()).containsOnlyKeys("apple");
      assertThat(store.pendingCount()).isEqualTo(1);
      store.writeLocal(CART, add("kiwi", 1));
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L, 2L);
    }
  }

  @Test
  void ack_deletesOnlyUpToItsSeq_andQuarantineKeepsTheRowVisible() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      for (int i = 0; i < 5; i++) {
        store.writeLocal(CART, add("sku" + i, 1));
      }
      assertThat(store.quarantine(3, "out_of_range", "bad")).isPresent();
      assertThat(store.quarantine(3, "out_of_range", "bad")).isEmpty();
      assertThat(store.ack(4)).isEqualTo(3);
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(5L);
      assertThat(store.firstPendingSeq()).isEqualTo(5);
      assertThat(store.rejected())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.seq()).isEqualTo(3);
                assertThat(r.code()).isEqualTo("out_of_range");
              });
      assertThat(store.rejectedCount()).isEqualTo(1);
    }
  }

  @Test
  void remoteChanges_joinAndAdvanceCursor_ownEchoChangesNothing() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      OutboxRow mine = store.writeLocal(CART, add("apple", 1)).orElseThrow();
      Document other = new Document();
      Document theirs = Cart.of(other).add("other-replica", "pear", 2);
      List<DocumentKey> changed =
          store.applyChanges(
              "user:alice",
              7,
              List.of(
                  new MessageParts.ChangeItem(
                      6, "carts", "main", CODEC.decodeDocument(mine.deltaJson()), null),
                  new MessageParts.ChangeItem(7, "carts", "main", theirs, null)));
      assertThat(changed).containsExactly(CART);
      assertThat(store.cursor("user:alice")).isEqualTo(7);
      List<DocumentKey> echo =
          store.applyChanges(
              "user:alice",
              8,
              List.of(
                  new MessageParts.ChangeItem(
                      8, "carts", "main", CODEC.decodeDocument(mine.deltaJson()), null)));
      assertThat(echo).isEmpty();
      assertThat(store.applyChanges("user:alice", 5, List.of())).isEmpty();
      assertThat(store.cursor("user:alice")).isEqualTo(8);
      assertThat(Cart.of(store.read(CART).orElseThrow()).items())
          .containsEntry("apple", 1L)
          .containsEntry("pear", 2L);
    }
  }

  @Test
  void remoteValueOfAnotherType_isHeldBesideTheLocalOne_andReadByType() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      DocumentKey key = new DocumentKey("s", "c", "d");
      store.writeLocal(
          key, (doc, r, h) -> doc.writeRegister(r, List.of("x"), TextNode.valueOf("local"), h));
      Document remote = new Document().addToCounter("srv", List.of("x"), 4);
      store.applyChanges("s", 1, List.of(new MessageParts.ChangeItem(1, "c", "d", remote, null)));
      Document merged = store.read(key).orElseThrow();
      assertThat(merged.get(List.of("x"), CounterValue.class).orElseThrow().value()).isEqualTo(4);
      assertThat(merged.get(List.of("x"), RegisterValue.class).orElseThrow().value())
          .contains(TextNode.valueOf("local"));
    }
  }

  @Test
  void snapshotPages_moveTheCursorOnlyAtTheEnd() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      Document state = new Document();
      Cart.of(state).add("srv", "apple", 3);
      store.applySnapshotPage(
          "user:alice", List.of(new MessageParts.SnapshotDoc("carts", "main", state)));
      assertThat(store.snapshotInProgress("user:alice")).isTrue();
      assertThat(store.cursor("user:alice")).isZero();
      store.finishSnapshot("user:alice", 40);
      assertThat(store.snapshotInProgress("user:alice")).isFalse();
      assertThat(store.cursor("user:alice")).isEqualTo(40);
      assertThat(Cart.of(store.read(CART).orElseThrow()).items()).containsEntry("apple", 3L);
    }
  }

  @Test
  void copiedDatabase_isDetectedOnOpen_andReKeysWithUnsentRowsRenumbered() throws Exception {
    Path original = dir.resolve("a/s.db");
    String replica;
    try (SqliteStore store = open(original)) {
      replica = store.replica().replicaId();
      for (int i = 0; i < 4; i++) {
        store.writeLocal(CART, add("sku" + i, 1));
      }
      store.ack(2);
    }
    Path copy = dir.resolve("b/s.db");
    Files.createDirectories(copy.getParent());
    Files.copy(original, copy);
    try (SqliteStore store = open(copy)) {
      assertThat(store.replica().replicaId()).isNotEqualTo(replica);
      assertThat(store.replica().rekeys()).isEqualTo(1);
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L, 2L);
      assertThat(store.replica().nextSeq()).isEqualTo(3);
      assertThat(Cart.of(store.read(CART).orElseThrow()).items()).hasSize(4);
    }
    try (SqliteStore store = open(copy)) {
      assertThat(store.replica().rekeys()).isEqualTo(1);
    }
    try (SqliteStore store = open(original)) {
      assertThat(store.replica().replicaId()).isEqualTo(replica);
    }
  }

  @Test
  void schema_isVersioned_andJournalIsWal() throws Exception {
    Path file = dir.resolve("s.db");
    open(file).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        ResultSet version = c.createStatement().executeQuery("PRAGMA user_version")) {
      assertThat(version.getInt(1)).isEqualTo(SqliteStore.SCHEMA_VERSION);
      try (ResultSet mode = c.createStatement().executeQuery("PRAGMA journal_mode")) {
        assertThat(mode.getString(1)).isEqualToIgnoringCase("wal");
      }
    }
  }

  @Test
  void purge_deletesTheSpace_rejectsItsUnsentChanges_andReKeys() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      DocumentKey team = new DocumentKey("team:1", "carts", "shared");
      store.writeLocal(CART, add("apple", 1));
      store.writeLocal(team, add("tool", 1));
      store.writeLocal(CART, add("pear", 1));
      String before = store.replica().replicaId();
      Purge purge = store.purgeSpace("team:1");
      assertThat(purge.documents()).containsExactly(team);
      assertThat(purge.rejected())
          .singleElement()
          .satisfies(r -> assertThat(r.code()).isEqualTo("revoked"));
      assertThat(purge.rekeyed()).isTrue();
      assertThat(store.replica().replicaId()).isNotEqualTo(before);
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L, 2L);
      assertThat(store.read(team)).isEmpty();
    }
  }

  /** Any sequence of local cart writes: state after reopen == join of the outbox deltas. */
  @Test
  void anyLocalWrites_stateEqualsJoinOfOutboxDeltas_afterReopen() {
    AtomicInteger run = new AtomicInteger();
    qt().withFixedSeed(20251125L)
        .withExamples(40)
        .forAll(lists().of(integers().between(-3, 5)).ofSizeBetween(1, 25))
        .checkAssert(
            ops -> {
              Path file = dir.resolve("p" + run.incrementAndGet() + ".db");
              Document expected = new Document();
              try (SqliteStore store = open(file)) {
                for (int i = 0; i < ops.size(); i++) {
                  int op = ops.get(i);
                  String sku = "sku" + Math.abs(op % 3);
                  LocalMutation m =
                      op > 0
                          ? add(sku, op)
                          : op == 0
                              ? (doc, r, h) -> Cart.of(doc).remove(sku)
                              : (doc, r, h) -> Cart.of(doc).setQuantity(r, sku, -op);
                  store.writeLocal(CART, m);
                }
              }
              try (SqliteStore store = open(file)) {
                store
                    .outbox(0, 1000)
                    .forEach(r -> expected.join(CODEC.decodeDocument(r.deltaJson())));
                assertThat(store.read(CART).orElseGet(Document::new)).isEqualTo(expected);
                List<OutboxRow> rows = store.outbox(0, 1000);
                for (int i = 0; i < rows.size(); i++) {
                  assertThat(rows.get(i).seq()).isEqualTo(i + 1L);
                  assertThat(Hlc.parse(rows.get(i).hlc())).isNotNull();
                }
              }
            });
  }
}
