package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The contract every {@link SqlDatabase} binding must keep for the store: the same tests run on
 * sqlite-jdbc ({@code JdbcStoreContractTest}) and on {@code android.database.sqlite} under
 * Robolectric ({@code AndroidStoreContractTest} in sync-sdk-android). JUnit 4, because Robolectric
 * runs JUnit 4 tests; the JVM side runs it through the vintage engine.
 *
 * <p>Crash safety: {@link #crashImage_holdsEveryCommittedWrite_andNothingOfTheOpenTransaction}
 * copies the database and its WAL while a batch is open, which is what an application crash at that
 * moment leaves on disk, and opens the copy.
 */
public abstract class StoreContract {

  protected static final ProtocolCodec CODEC = new ProtocolCodec();
  protected static final DocumentKey CART = new DocumentKey("user:alice", "carts", "main");

  @Rule public TemporaryFolder temp = new TemporaryFolder();

  /** Opens (creating if needed) the binding under test on {@code file}. */
  protected abstract SqlDatabase openDatabase(Path file) throws Exception;

  protected SqliteStore open(Path file) throws Exception {
    return SqliteStore.open(
        openDatabase(file), CODEC, System::currentTimeMillis, HybridClock.DEFAULT_MAX_OFFSET);
  }

  protected Path file(String name) {
    return temp.getRoot().toPath().resolve(name);
  }

  static LocalMutation add(String sku, long n) {
    return (doc, replica, hlc) -> Cart.of(doc).add(replica, sku, n);
  }

  static Map<String, Long> items(SqliteStore store, DocumentKey key) {
    return Cart.of(store.read(key).orElseThrow()).items();
  }

  @Test
  public void localWrites_keepStateOutboxAndIdentity_acrossReopen() throws Exception {
    Path file = file("s.db");
    String replica;
    try (SqliteStore store = open(file)) {
      replica = store.replica().replicaId();
      assertThat(store.writeLocal(CART, add("apple", 2)).orElseThrow().seq()).isEqualTo(1);
      store.writeLocal(CART, add("pear", 1));
    }
    try (SqliteStore store = open(file)) {
      assertThat(store.replica().replicaId()).isEqualTo(replica);
      assertThat(store.replica().nextSeq()).isEqualTo(3);
      assertThat(items(store, CART)).containsEntry("apple", 2L).containsEntry("pear", 1L);
      List<OutboxRow> rows = store.outbox(0, 10);
      assertThat(rows).extracting(OutboxRow::seq).containsExactly(1L, 2L);
      Document rebuilt = new Document();
      rows.forEach(r -> rebuilt.join(CODEC.decodeDocument(r.deltaJson())));
      assertThat(rebuilt).isEqualTo(store.read(CART).orElseThrow());
    }
  }

  @Test
  public void outboxPages_byIntegerParameters_inSeqOrder() throws Exception {
    try (SqliteStore store = open(file("s.db"))) {
      for (int i = 0; i < 12; i++) {
        store.writeLocal(CART, add("sku" + i, 1));
      }
      // LIMIT and seq comparisons must bind as integers on every platform (not as text).
      assertThat(store.outbox(9, 2)).extracting(OutboxRow::seq).containsExactly(10L, 11L);
      assertThat(store.outbox(0, 5)).extracting(OutboxRow::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(store.pendingCount()).isEqualTo(12);
      assertThat(store.ack(10)).isEqualTo(10);
      assertThat(store.firstPendingSeq()).isEqualTo(11);
      assertThat(store.outbox(0, 100)).extracting(OutboxRow::seq).containsExactly(11L, 12L);
    }
  }

  @Test
  public void joinedRows_stillCountEveryUnacknowledgedChange() throws Exception {
    DocumentKey other = new DocumentKey("user:alice", "carts", "other");
    try (SqliteStore store = open(file("s.db"))) {
      for (int i = 0; i < 10; i++) {
        store.writeLocal(CART, add("apple", 1));
      }
      for (int i = 0; i < 5; i++) {
        store.writeLocal(other, add("pear", 1));
      }
      assertThat(store.pendingCount()).isEqualTo(15);
      List<OutboxRow> sent = store.pushBatch(0, 1);
      assertThat(sent).hasSize(1);
      assertThat(sent.get(0).toSeq()).as("ten writes joined into one range").isEqualTo(10);
      assertThat(store.outbox(0, 100)).as("two rows now").hasSize(2);
      assertThat(store.pendingCount()).as("still every change").isEqualTo(15);
      store.ack(10);
      assertThat(store.pendingCount()).isEqualTo(5);
      store.ack(15);
      assertThat(store.pendingCount()).isZero();
    }
  }

  @Test
  public void failedWrites_andFailedBatches_keepNothing_andSeqsStayContiguous() throws Exception {
    try (SqliteStore store = open(file("s.db"))) {
      store.writeLocal(CART, add("apple", 1));
      assertThatThrownBy(
              () ->
                  store.writeLocal(
                      CART,
                      (doc, replica, hlc) -> {
                        Cart.of(doc).add(replica, "ghost", 5);
                        throw new IllegalStateException("app failed mid-write");
                      }))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(
              () ->
                  store.batch(
                      () -> {
                        store.writeLocal(CART, add("pear", 2));
                        store.writeLocal(CART, add("plum", 1));
                        throw new IllegalStateException("app failed mid-batch");
                      }))
          .isInstanceOf(IllegalStateException.class);
      assertThat(items(store, CART)).containsOnlyKeys("apple");
      store.batch(
          () -> {
            store.writeLocal(CART, add("kiwi", 1));
            store.writeLocal(CART, add("fig", 1));
          });
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L, 2L, 3L);
      assertThat(items(store, CART)).containsOnlyKeys("apple", "kiwi", "fig");
    }
  }

  @Test
  public void remoteChanges_joinWithTheCursor_andSnapshotsMoveItOnlyAtTheEnd() throws Exception {
    try (SqliteStore store = open(file("s.db"))) {
      OutboxRow mine = store.writeLocal(CART, add("apple", 1)).orElseThrow();
      Document theirs = Cart.of(new Document()).add("other-replica", "pear", 2);
      assertThat(
              store.applyChanges(
                  "user:alice",
                  7,
                  List.of(new MessageParts.ChangeItem(7, "carts", "main", theirs, null))))
          .containsExactly(CART);
      Document echo = CODEC.decodeDocument(mine.deltaJson());
      assertThat(
              store.applyChanges(
                  "user:alice",
                  8,
                  List.of(new MessageParts.ChangeItem(8, "carts", "main", echo, null))))
          .isEmpty();
      assertThat(store.applyChanges("user:alice", 5, List.of())).isEmpty();
      assertThat(store.cursor("user:alice")).isEqualTo(8);
      assertThat(items(store, CART)).containsEntry("apple", 1L).containsEntry("pear", 2L);

      DocumentKey other = new DocumentKey("shop", "carts", "x");
      Document state = Cart.of(new Document()).add("srv", "tea", 3);
      store.applySnapshotPage("shop", List.of(new MessageParts.SnapshotDoc("carts", "x", state)));
      assertThat(store.snapshotInProgress("shop")).isTrue();
      assertThat(store.cursor("shop")).isZero();
      store.finishSnapshot("shop", 40);
      assertThat(store.snapshotInProgress("shop")).isFalse();
      assertThat(store.cursor("shop")).isEqualTo(40);
      assertThat(items(store, other)).containsEntry("tea", 3L);
    }
  }

  @Test
  public void stablePoint_isTheLeastOfCursorAndUnsentRows_andNeverReportedLower() throws Exception {
    try (SqliteStore store = open(file("s.db"))) {
      assertThat(store.stablePoint("user:alice")).isEqualTo(OptionalLong.of(0));
      store.applyChanges("user:alice", 5, List.of());
      store.writeLocal(CART, add("apple", 1));
      store.applyChanges("user:alice", 9, List.of());
      assertThat(store.stablePoint("user:alice")).isEqualTo(OptionalLong.of(5));
      store.ack(1);
      assertThat(store.stablePoint("user:alice")).isEqualTo(OptionalLong.of(9));
      store.stableReported(Map.of("user:alice", 9L));
      // A reset snapshot lowers the cursor: nothing lower than what was reported goes out.
      store.applySnapshotPage("user:alice", List.of());
      store.finishSnapshot("user:alice", 3);
      assertThat(store.stablePoint("user:alice")).isEmpty();
    }
  }

  @Test
  public void quarantine_movesTheRowToTheRejected_untilDismissed() throws Exception {
    try (SqliteStore store = open(file("s.db"))) {
      for (int i = 0; i < 3; i++) {
        store.writeLocal(CART, add("sku" + i, 1));
      }
      RejectedChange rejected = store.quarantine(2, "out_of_range", "bad").orElseThrow();
      assertThat(store.quarantine(2, "out_of_range", "bad")).isEmpty();
      assertThat(rejected.seq()).isEqualTo(2);
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L, 3L);
      assertThat(store.rejected()).extracting(RejectedChange::id).containsExactly(rejected.id());
      assertThat(store.rejectedCount()).isEqualTo(1);
      RejectedChange replaced = store.replaceUnsendable(3, "too_large", "big").orElseThrow();
      assertThat(replaced.id()).isGreaterThan(rejected.id());
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L, 3L);
      assertThat(store.dismissRejected(rejected.id())).isTrue();
      assertThat(store.dismissRejected(rejected.id())).isFalse();
      assertThat(store.rejected()).extracting(RejectedChange::id).containsExactly(replaced.id());
    }
  }

  @Test
  public void refusedChange_isReRead_asTheServersStateJoinedWithUnsentRows_untilPurged()
      throws Exception {
    DocumentKey shared = new DocumentKey("shop", "carts", "main");
    try (SqliteStore store = open(file("s.db"))) {
      store.writeLocal(CART, add("apple", 5));
      store.writeLocal(CART, add("pear", 1));
      store.writeLocal(shared, add("tea", 1));
      store.quarantine(1, "forbidden", "no");
      store.quarantine(3, "forbidden", "no");
      assertThat(store.rereadSpaces()).containsExactly("shop", "user:alice");
      assertThat(store.pendingRereads("user:alice", 10)).containsExactly(CART);
      // The server never took the apple: its state holds another replica's milk only.
      Document server = new Document();
      Cart.of(server).add("server-side-replica", "milk", 2);

      List<DocumentKey> changed =
          store.applyRereads(
              "user:alice", List.of(new MessageParts.SnapshotDoc("carts", "main", server)));

      assertThat(changed).containsExactly(CART);
      assertThat(items(store, CART))
          .containsExactlyInAnyOrderEntriesOf(Map.of("milk", 2L, "pear", 1L));
      assertThat(store.pendingRereads("user:alice", 10)).isEmpty();
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(2L);
      store.purgeSpace("shop");
      assertThat(store.rereadSpaces()).isEmpty();
    }
  }

  @Test
  public void purgeWithUnsentRows_rejectsThem_andRetiresTheReplicaId() throws Exception {
    DocumentKey shared = new DocumentKey("shop", "carts", "main");
    try (SqliteStore store = open(file("s.db"))) {
      String before = store.replica().replicaId();
      store.writeLocal(shared, add("tea", 1));
      store.writeLocal(CART, add("apple", 1));
      Purge purge = store.purgeSpace("shop");
      assertThat(purge.documents()).containsExactly(shared);
      assertThat(purge.rejected()).extracting(RejectedChange::code).containsExactly("revoked");
      assertThat(purge.rekeyed()).isTrue();
      assertThat(store.replica().replicaId()).isNotEqualTo(before);
      assertThat(store.read(shared)).isEmpty();
      // The kept row is renumbered from 1 and declares the retired id as its predecessor.
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L);
      assertThat(store.predecessor()).contains(before);
      store.ack(1);
      assertThat(store.predecessor()).isEmpty();
    }
  }

  @Test
  public void copiedFile_takesANewReplicaId_andKeepsItsUnsentRows() throws Exception {
    Path original = file("a/s.db");
    Path copy = file("b/s.db");
    String replica;
    try (SqliteStore store = open(original)) {
      replica = store.replica().replicaId();
      store.writeLocal(CART, add("apple", 1));
    }
    Files.createDirectories(copy.getParent());
    copyDatabase(original, copy);
    try (SqliteStore store = open(copy)) {
      assertThat(store.replica().replicaId()).isNotEqualTo(replica);
      assertThat(store.replica().rekeys()).isEqualTo(1);
      assertThat(store.outbox(0, 10)).hasSize(1);
      assertThat(items(store, CART)).containsEntry("apple", 1L);
    }
    try (SqliteStore store = open(original)) {
      assertThat(store.replica().replicaId()).isEqualTo(replica);
    }
  }

  @Test
  public void aNewerSchema_isRefused_andAnUpToDateOneIsKept() throws Exception {
    Path file = file("s.db");
    try (SqliteStore store = open(file)) {
      store.writeLocal(CART, add("apple", 1));
    }
    try (SqlDatabase db = openDatabase(file)) {
      assertThat(db.userVersion()).isEqualTo(SqliteStore.SCHEMA_VERSION);
      db.begin();
      db.setUserVersion(SqliteStore.SCHEMA_VERSION + 1);
      db.commit();
    }
    assertThatThrownBy(() -> open(file))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("newer");
    // The refused open closed its connection: the file opens again.
    try (SqlDatabase db = openDatabase(file)) {
      assertThat(db.userVersion()).isEqualTo(SqliteStore.SCHEMA_VERSION + 1);
    }
  }

  /** The schema an SDK of version 2 wrote (migrations 1 and 2 as released), frozen: never edit. */
  private static final String[] SCHEMA_V2 = {
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE documents (space TEXT NOT NULL, collection TEXT NOT NULL, doc_id TEXT NOT NULL,"
        + " state TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (space, collection, doc_id))"
        + " WITHOUT ROWID",
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY, space TEXT NOT NULL, collection TEXT NOT NULL,"
        + " doc_id TEXT NOT NULL, hlc TEXT NOT NULL, delta TEXT NOT NULL, created_at INTEGER NOT NULL)",
    "CREATE INDEX outbox_by_space ON outbox (space)",
    "CREATE TABLE rejected (id INTEGER PRIMARY KEY AUTOINCREMENT, replica_id TEXT NOT NULL,"
        + " seq INTEGER NOT NULL, space TEXT NOT NULL, collection TEXT NOT NULL, doc_id TEXT NOT NULL,"
        + " delta TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, rejected_at INTEGER NOT NULL)",
    "CREATE TABLE spaces (space TEXT PRIMARY KEY, cursor INTEGER NOT NULL DEFAULT 0,"
        + " snapshot_active INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID",
    "ALTER TABLE outbox ADD COLUMN cursor_at_write INTEGER NOT NULL DEFAULT 0",
    "DROP INDEX outbox_by_space",
    "CREATE INDEX outbox_by_space ON outbox (space, cursor_at_write)",
    "CREATE TABLE stable_reports (space TEXT PRIMARY KEY, stable INTEGER NOT NULL) WITHOUT ROWID"
  };

  @Test
  public void schemaTwoFile_migratesThroughThree_itsUnsentRowsGettingTheTextTheOldSdkPushed()
      throws Exception {
    Path file = file("v2.db");
    Hlc stamp = new Hlc(1_764_065_400_000L, 3);
    List<String> deltas =
        List.of(
            CODEC.encodeDocument(Cart.of(new Document()).add("v2-replica", "apple", 2)),
            CODEC.encodeDocument(Cart.of(new Document()).add("v2-replica", "pear \"x\" é", 1)));
    try (SqlDatabase db = openDatabase(file)) {
      db.begin();
      for (String sql : SCHEMA_V2) {
        db.update(sql);
      }
      String[][] meta = {
        {"replica_id", "v2-replica"},
        {"next_seq", "3"},
        {"hlc", stamp.toString()},
        {"rekeys", "0"},
        {"created_at", "1"}
      };
      for (String[] entry : meta) {
        db.update("INSERT INTO meta (key, value) VALUES (?, ?)", entry[0], entry[1]);
      }
      db.update("INSERT INTO spaces (space, cursor) VALUES (?, ?)", CART.space(), 40);
      for (int i = 0; i < deltas.size(); i++) {
        db.update(
            "INSERT INTO outbox (seq, space, collection, doc_id, hlc, delta, created_at,"
                + " cursor_at_write) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            i + 1,
            CART.space(),
            CART.collection(),
            CART.docId(),
            stamp.toString(),
            deltas.get(i),
            1,
            40);
      }
      db.setUserVersion(2);
      db.commit();
    }
    try (SqliteStore store = open(file)) {
      assertThat(store.replica().replicaId()).isEqualTo("v2-replica");
      List<OutboxRow> rows = store.outbox(0, 10);
      assertThat(rows).extracting(OutboxRow::deltaJson).containsExactlyElementsOf(deltas);
      // What the schema-2 SDK pushed (the delta decoded, the changeset encoded): a retry across
      // the upgrade sends the same bytes.
      assertThat(rows)
          .extracting(OutboxRow::changesetJson)
          .containsExactly(
              CODEC.encodeChangeset(
                  new Changeset(
                      "v2-replica",
                      1,
                      CART.space(),
                      CART.collection(),
                      CART.docId(),
                      stamp,
                      CODEC.decodeDocument(deltas.get(0)))),
              CODEC.encodeChangeset(
                  new Changeset(
                      "v2-replica",
                      2,
                      CART.space(),
                      CART.collection(),
                      CART.docId(),
                      stamp,
                      CODEC.decodeDocument(deltas.get(1)))));
      assertThat(rows).extracting(OutboxRow::cursorAtWrite).containsOnly(40L);
      OutboxRow written = store.writeLocal(CART, add("fig", 1)).orElseThrow();
      Changeset decoded = CODEC.decodeChangeset(written.changesetJson());
      assertThat(decoded.replicaId()).isEqualTo("v2-replica");
      assertThat(decoded.seq()).isEqualTo(3);
      assertThat(CODEC.encodeDocument(decoded.delta())).isEqualTo(written.deltaJson());
      assertThat(store.outbox(2, 10)).containsExactly(written);
    }
    try (SqlDatabase db = openDatabase(file)) {
      // On through 8 (re-reads, queries, epoch, digests, lazy folding): the v2 -> v3 text migration
      // above still
      // ran first.
      assertThat(db.userVersion()).isEqualTo(SqliteStore.SCHEMA_VERSION).isEqualTo(8);
    }
  }

  @Test
  public void pushReadyText_followsARekey_andAReplacement_keepingTheDeltaBytes() throws Exception {
    try (SqliteStore store = open(file("s.db"))) {
      store.writeLocal(CART, add("tea", 2));
      store.writeLocal(CART, add("milk", 1));
      store.ack(1);
      OutboxRow before = store.outbox(0, 10).get(0);

      String fresh = store.rekey("test", Redelivery.NONE).replicaId();
      OutboxRow after = store.outbox(0, 10).get(0);

      assertThat(after.seq()).isEqualTo(1);
      assertThat(after.deltaJson()).isEqualTo(before.deltaJson());
      assertThat(after.changesetJson())
          .isEqualTo(
              CODEC.encodeChangeset(
                  new Changeset.Header(
                      fresh,
                      1,
                      CART.space(),
                      CART.collection(),
                      CART.docId(),
                      Hlc.parse(before.hlc())),
                  before.deltaJson()));
      store.replaceUnsendable(1, "too_large", "big").orElseThrow();
      Changeset empty = CODEC.decodeChangeset(store.outbox(0, 10).get(0).changesetJson());
      assertThat(empty.replicaId()).isEqualTo(fresh);
      assertThat(empty.seq()).isEqualTo(1);
      assertThat(empty.delta().isEmpty()).isTrue();
    }
  }

  @Test
  public void binding_roundTripsEveryParameterType_andRollsBack() throws Exception {
    try (SqlDatabase db = openDatabase(file("raw.db"))) {
      db.update("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT, b BLOB)");
      long id =
          db.insert(
              "INSERT INTO t (n, s, b) VALUES (?, ?, ?)",
              Long.MAX_VALUE,
              "é ✓ x",
              new byte[] {0, 1, -1});
      db.insert("INSERT INTO t (n, s, b) VALUES (?, ?, ?)", 7, null, null);
      db.begin();
      assertThat(db.update("UPDATE t SET n = n + 1 WHERE n = ?", 7)).isEqualTo(1);
      db.rollback();
      try (SqlRows rows = db.query("SELECT n, s, b FROM t WHERE id >= ?1 ORDER BY id", id)) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getLong(1)).isEqualTo(Long.MAX_VALUE);
        assertThat(rows.getString(2)).isEqualTo("é ✓ x");
        assertThat(rows.getBytes(3)).containsExactly(0, 1, -1);
        assertThat(rows.isNull(2)).isFalse();
        assertThat(rows.next()).isTrue();
        assertThat(rows.getLong(1)).isEqualTo(7);
        assertThat(rows.isNull(2)).isTrue();
        assertThat(rows.getString(2)).isNull();
        assertThat(rows.getBytes(3)).isNull();
        assertThat(rows.next()).isFalse();
      }
      assertThatThrownBy(() -> db.update("INSERT INTO t (n) VALUES (?)", 1.5))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> db.update("INSERT INTO nowhere VALUES (1)"))
          .isInstanceOf(java.sql.SQLException.class);
    }
  }

  @Test
  public void crashImage_holdsEveryCommittedWrite_andNothingOfTheOpenTransaction()
      throws Exception {
    Path file = file("live/s.db");
    Path image = file("image/s.db");
    Files.createDirectories(image.getParent());
    try (SqliteStore store = open(file)) {
      store.writeLocal(CART, add("apple", 1));
      store.applyChanges("user:alice", 4, List.of());
      store.batch(
          () -> {
            store.writeLocal(CART, add("pear", 1));
            store.writeLocal(CART, add("plum", 1));
            // What an application crash now leaves on disk: the file and its WAL as they are.
            copyDatabase(file, image);
          });
      store.writeLocal(CART, add("kiwi", 1));
    }
    try (SqliteStore store = open(image)) {
      assertThat(items(store, CART)).containsOnlyKeys("apple");
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(1L);
      assertThat(store.cursor("user:alice")).isEqualTo(4);
      // The image is a copy (new fingerprint): a new id, and its seqs go on from the kept rows.
      assertThat(store.writeLocal(CART, add("fig", 1)).orElseThrow().seq()).isEqualTo(2);
    }
  }

  @Test
  public void inPlaceRestore_afterAPush_reKeysAtOpen_beforeAnyWrite() throws Exception {
    Path file = file("s.db");
    Path backup = file("backup/s.db");
    Files.createDirectories(backup.getParent());
    String original;
    try (SqliteStore store = open(file)) {
      original = store.replica().replicaId();
      store.writeLocal(CART, add("apple", 1));
      assertThat(store.pushBatch(0, 10)).hasSize(1);
    }
    copyDatabase(file, backup);
    try (SqliteStore store = open(file)) {
      assertThat(store.replica().replicaId()).as("a plain reopen").isEqualTo(original);
      store.writeLocal(CART, add("pear", 1));
      assertThat(store.pushBatch(0, 10)).isNotEmpty();
    }
    // The backup's bytes written back into the same file: same path and inode, so the install
    // fingerprint cannot tell; the push mark beside the file is later than the restored one.
    writeInPlace(backup, file);
    String rekeyed;
    try (SqliteStore store = open(file)) {
      rekeyed = store.replica().replicaId();
      assertThat(rekeyed).isNotEqualTo(original);
      assertThat(items(store, CART)).containsOnlyKeys("apple");
      // The row its lost future pushed again goes as resent: delivered already, identical.
      assertThat(store.outbox(0, 10))
          .singleElement()
          .satisfies(
              row -> assertThat(CODEC.decodeChangeset(row.changesetJson()).resend()).isTrue());
    }
    try (SqliteStore store = open(file)) {
      assertThat(store.replica().replicaId())
          .as("found once, not at every open")
          .isEqualTo(rekeyed);
    }
  }

  @Test
  public void aPushMarkBehindTheDatabase_isACrashBeforeItWasWritten_notARestore() throws Exception {
    Path file = file("s.db");
    String original;
    try (SqliteStore store = open(file)) {
      original = store.replica().replicaId();
      store.writeLocal(CART, add("apple", 1));
      store.pushBatch(0, 10);
      store.pushBatch(0, 10);
    }
    // As if the process died between the database's commit and the mark's write.
    Files.writeString(file.resolveSibling(file.getFileName() + PushMark.SUFFIX), "1");
    try (SqliteStore store = open(file)) {
      assertThat(store.replica().replicaId()).isEqualTo(original);
    }
    Files.delete(file.resolveSibling(file.getFileName() + PushMark.SUFFIX));
    try (SqliteStore store = open(file)) {
      assertThat(store.replica().replicaId())
          .as("no mark beside: nothing to compare")
          .isEqualTo(original);
    }
  }

  /** Writes a closed database's bytes (and its WAL) into the existing file, keeping its inode. */
  protected static void writeInPlace(Path from, Path to) {
    try {
      Files.write(to, Files.readAllBytes(from));
      Path wal = from.resolveSibling(from.getFileName() + "-wal");
      Path target = to.resolveSibling(to.getFileName() + "-wal");
      if (Files.exists(wal)) {
        Files.copy(wal, target, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a database file and its WAL (not the shared-memory index, rebuilt on open). */
  protected static void copyDatabase(Path from, Path to) {
    try {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
      Path wal = from.resolveSibling(from.getFileName() + "-wal");
      if (Files.exists(wal)) {
        Files.copy(
            wal, to.resolveSibling(to.getFileName() + "-wal"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
