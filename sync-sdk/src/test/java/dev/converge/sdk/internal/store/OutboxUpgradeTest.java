package dev.converge.sdk.internal.store;

import static dev.converge.sdk.internal.store.StablePointStoreTest.ALICE;
import static dev.converge.sdk.internal.store.StablePointStoreTest.CART;
import static dev.converge.sdk.internal.store.StablePointStoreTest.CODEC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox keeps each change's push-ready changeset text (schema 3): written once at the write,
 * given to the rows of an older file by the migration, and rewritten only by a re-key.
 */
class OutboxUpgradeTest {

  /** Migration 2 as it was released, frozen: never edit to follow the current schema. */
  private static final String[] MIGRATION_2 = {
    "ALTER TABLE outbox ADD COLUMN cursor_at_write INTEGER NOT NULL DEFAULT 0",
    "DROP INDEX outbox_by_space",
    "CREATE INDEX outbox_by_space ON outbox (space, cursor_at_write)",
    "CREATE TABLE stable_reports (space TEXT PRIMARY KEY, stable INTEGER NOT NULL) WITHOUT ROWID",
    "PRAGMA user_version = 2"
  };

  private static final Hlc STAMP = new Hlc(1_764_065_400_000L, 3);

  @TempDir Path dir;

  /** A real delta as the version-2 SDK stored it: the codec's encoding of a cart add. */
  private static String storedDelta(String sku, long qty) {
    return CODEC.encodeDocument(Cart.of(new Document()).add("v1-replica", sku, qty));
  }

  /** What the version-2 SDK pushed for a row: its delta decoded, the changeset encoded. */
  private static String pushedBySchemaTwo(long seq, String deltaJson) {
    return CODEC.encodeChangeset(
        new Changeset(
            "v1-replica", seq, ALICE, "carts", "main", STAMP, CODEC.decodeDocument(deltaJson)));
  }

  @Test
  void schemaTwoFile_withUnsentRows_getsThePushReadyTextTheOldSdkWouldHaveSent() throws Exception {
    Path file = dir.resolve("v2.db");
    List<String> deltas = List.of(storedDelta("apple", 2), storedDelta("pear \"x\" é", 1));
    String[] schemaTwoRows = new String[MIGRATION_2.length + 1 + deltas.size()];
    System.arraycopy(MIGRATION_2, 0, schemaTwoRows, 0, MIGRATION_2.length);
    schemaTwoRows[MIGRATION_2.length] = "DELETE FROM outbox";
    for (int i = 0; i < deltas.size(); i++) {
      schemaTwoRows[MIGRATION_2.length + 1 + i] =
          "INSERT INTO outbox (seq, space, collection, doc_id, hlc, delta, created_at,"
              + " cursor_at_write) VALUES ("
              + (i + 1)
              + ", '"
              + ALICE
              + "', 'carts', 'main', '"
              + STAMP
              + "', '"
              + deltas.get(i).replace("'", "''")
              + "', 1, 40)";
    }
    StablePointStoreTest.writeVersion1(file, schemaTwoRows);

    try (SqliteStore store = SqliteStore.open(file, CODEC, System::currentTimeMillis, false)) {
      List<OutboxRow> rows = store.outbox(0, 10);

      assertThat(rows).extracting(OutboxRow::deltaJson).containsExactlyElementsOf(deltas);
      assertThat(rows)
          .extracting(OutboxRow::changesetJson)
          .as("byte for byte what the schema-2 SDK pushed: a retry across the upgrade is the same")
          .containsExactly(
              pushedBySchemaTwo(1, deltas.get(0)), pushedBySchemaTwo(2, deltas.get(1)));
      assertThat(rows).extracting(OutboxRow::cursorAtWrite).containsOnly(40L);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA user_version")) {
      assertThat(rs.getInt(1)).isEqualTo(SqliteStore.SCHEMA_VERSION).isEqualTo(8);
    }
  }

  @Test
  void aWrite_keepsTheChangesetOfItsOwnDelta() {
    try (SqliteStore store = SqliteStore.open(dir.resolve("s.db"), CODEC, () -> 1L, false)) {
      OutboxRow row = store.writeLocal(CART, StablePointStoreTest.add("tea", 2)).orElseThrow();

      Changeset decoded = CODEC.decodeChangeset(row.changesetJson());
      assertThat(decoded.replicaId()).isEqualTo(store.replica().replicaId());
      assertThat(decoded.seq()).isEqualTo(row.seq());
      assertThat(CODEC.encodeDocument(decoded.delta())).isEqualTo(row.deltaJson());
      assertThat(CODEC.encodeChangeset(decoded)).isEqualTo(row.changesetJson());
      assertThat(store.outbox(0, 10)).containsExactly(row);
    }
  }

  @Test
  void aRowWhoseSeqWasEditedByHand_isPushedUnderItsSeqColumn() throws Exception {
    Path file = dir.resolve("edited.db");
    String id;
    OutboxRow written;
    try (SqliteStore store = SqliteStore.open(file, CODEC, () -> 1L, false)) {
      id = store.replica().replicaId();
      written = store.writeLocal(CART, StablePointStoreTest.add("tea", 2)).orElseThrow();
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      st.execute("UPDATE outbox SET seq = seq + 1000");
    }

    try (SqliteStore store = SqliteStore.open(file, CODEC, () -> 1L, false)) {
      OutboxRow row = store.outbox(0, 10).get(0);

      assertThat(row.seq()).isEqualTo(1001);
      assertThat(row.changesetJson())
          .isEqualTo(
              CODEC.encodeChangeset(
                  new Changeset.Header(id, 1001, ALICE, "carts", "main", Hlc.parse(row.hlc())),
                  written.deltaJson()));
      assertThat(store.outbox(0, 10)).containsExactly(row);
    }
  }

  @Test
  void aRekey_rewritesTheTextUnderTheNewIdAndSeq_keepingTheDeltaBytes() {
    try (SqliteStore store = SqliteStore.open(dir.resolve("s.db"), CODEC, () -> 1L, false)) {
      store.writeLocal(CART, StablePointStoreTest.add("tea", 2));
      store.writeLocal(CART, StablePointStoreTest.add("milk", 1));
      store.ack(1);
      OutboxRow before = store.outbox(0, 10).get(0);

      String fresh = store.rekey("test", Redelivery.NONE).replicaId();
      OutboxRow after = store.outbox(0, 10).get(0);

      assertThat(after.seq()).isEqualTo(1);
      assertThat(after.deltaJson()).isEqualTo(before.deltaJson());
      assertThat(after.changesetJson())
          .isEqualTo(
              CODEC.encodeChangeset(
                  new Changeset.Header(fresh, 1, ALICE, "carts", "main", Hlc.parse(before.hlc())),
                  before.deltaJson()));
    }
  }
}
