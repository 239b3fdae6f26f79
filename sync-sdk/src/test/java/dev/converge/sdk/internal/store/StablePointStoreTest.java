package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stable point the store computes per space (docs/protocol-2.md, "Stable points"), on real
 * SQLite files: the lesser of the cursor and the cursor at which the oldest unacked row of the
 * space was written; never reported lower under one replica id, across restarts, snapshots below
 * the cursor and purges; afresh after a re-key; and the schema migration that brought it.
 */
class StablePointStoreTest {

  static final ProtocolCodec CODEC = new ProtocolCodec();
  static final String ALICE = "user:alice";
  static final String TEAM = "team:1";
  static final DocumentKey CART = new DocumentKey(ALICE, "carts", "main");
  static final DocumentKey TEAM_CART = new DocumentKey(TEAM, "carts", "main");

  @TempDir Path dir;

  SqliteStore open(Path file) {
    return SqliteStore.open(file, CODEC, System::currentTimeMillis, false);
  }

  static LocalMutation add(String sku, long n) {
    return (doc, replica, hlc) -> Cart.of(doc).add(replica, sku, n);
  }

  static void moveCursor(Store store, String space, long to) {
    store.applyChanges(space, to, List.of());
  }

  static void report(Store store, String space) {
    store.stableReported(Map.of(space, store.stablePoint(space).orElseThrow()));
  }

  @Test
  void freshSpace_isStableAtItsCursor() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      assertThat(store.stablePoint(ALICE)).hasValue(0);
      moveCursor(store, ALICE, 10);
      assertThat(store.stablePoint(ALICE)).hasValue(10);
      assertThat(store.stablePoint(TEAM)).hasValue(0);
    }
  }

  @Test
  void unackedWrite_holdsThePointAtTheCursorItWasWrittenAt_untilAcked() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      moveCursor(store, ALICE, 10);
      OutboxRow first = store.writeLocal(CART, add("apple", 1)).orElseThrow();
      assertThat(first.cursorAtWrite()).isEqualTo(10);
      moveCursor(store, ALICE, 20);
      assertThat(store.stablePoint(ALICE))
          .as("the row was made with the context at 10")
          .hasValue(10);
      OutboxRow second = store.writeLocal(CART, add("pear", 1)).orElseThrow();
      assertThat(second.cursorAtWrite()).isEqualTo(20);
      store.writeLocal(TEAM_CART, add("fig", 1));
      assertThat(store.stablePoint(ALICE)).hasValue(10);
      assertThat(store.stablePoint(TEAM)).as("rows count in their own space only").hasValue(0);

      store.ack(first.seq());
      assertThat(store.stablePoint(ALICE)).hasValue(20);
      moveCursor(store, ALICE, 30);
      assertThat(store.stablePoint(ALICE)).hasValue(20);
      store.ack(second.seq());
      assertThat(store.stablePoint(ALICE)).hasValue(30);
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::cursorAtWrite).containsExactly(0L);
    }
  }

  @Test
  void quarantinedRow_releasesThePoint_andAnUnsendableOneIsReplacedAtTheCursorNow() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      moveCursor(store, ALICE, 5);
      long a = store.writeLocal(CART, add("a", 1)).orElseThrow().seq();
      moveCursor(store, ALICE, 8);
      long b = store.writeLocal(CART, add("b", 1)).orElseThrow().seq();
      moveCursor(store, ALICE, 12);
      assertThat(store.stablePoint(ALICE)).hasValue(5);
      store.quarantine(a, "dot_forged", "refused");
      assertThat(store.stablePoint(ALICE)).hasValue(8);
      // The empty change that takes an unsendable row's seq has no context to hold back.
      store.replaceUnsendable(b, "too_large", "too big");
      assertThat(store.outbox(0, 10))
          .singleElement()
          .extracting(OutboxRow::cursorAtWrite)
          .isEqualTo(12L);
      assertThat(store.stablePoint(ALICE)).hasValue(12);
    }
  }

  @Test
  void restart_keepsTheRowsCursorsAndTheRecordOfWhatWasReported() {
    Path file = dir.resolve("s.db");
    try (SqliteStore store = open(file)) {
      moveCursor(store, ALICE, 10);
      store.writeLocal(CART, add("a", 1));
      moveCursor(store, ALICE, 20);
      report(store, ALICE);
      moveCursor(store, TEAM, 30);
      report(store, TEAM);
    }
    try (SqliteStore store = open(file)) {
      assertThat(store.stablePoint(ALICE)).hasValue(10);
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::cursorAtWrite).containsExactly(10L);
      // The record survived: a snapshot of TEAM below 30 leaves it nothing to report.
      store.applySnapshotPage(TEAM, List.of());
      store.finishSnapshot(TEAM, 25);
      assertThat(store.stablePoint(TEAM)).isEmpty();
    }
  }

  @Test
  void snapshotAtOrAboveTheCursor_movesThePointUp_keepingTheRowsItHoldsBackBy() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      moveCursor(store, ALICE, 10);
      long seq = store.writeLocal(CART, add("a", 1)).orElseThrow().seq();
      store.applySnapshotPage(ALICE, List.of());
      // A write while the snapshot runs: the cursor has not moved yet.
      assertThat(store.writeLocal(CART, add("b", 1)).orElseThrow().cursorAtWrite()).isEqualTo(10);
      store.finishSnapshot(ALICE, 50);
      assertThat(store.stablePoint(ALICE)).hasValue(10);
      assertThat(store.outbox(0, 10))
          .extracting(OutboxRow::cursorAtWrite)
          .containsExactly(10L, 10L);
      store.ack(seq + 1);
      assertThat(store.stablePoint(ALICE)).hasValue(50);
    }
  }

  @Test
  void snapshotBelowTheCursor_clampsTheRows_andReportsNothingUntilThePointClimbsBack() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      moveCursor(store, ALICE, 30);
      long seq = store.writeLocal(CART, add("a", 1)).orElseThrow().seq();
      assertThat(store.stablePoint(ALICE)).hasValue(30);
      report(store, ALICE);

      // The server's log was reset: its head is 20 now, and what it numbers 21.. the row never saw.
      store.applySnapshotPage(ALICE, List.of());
      store.finishSnapshot(ALICE, 20);
      assertThat(store.cursor(ALICE)).isEqualTo(20);
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::cursorAtWrite).containsExactly(20L);
      assertThat(store.stablePoint(ALICE)).as("20 is honest but below the 30 reported").isEmpty();

      moveCursor(store, ALICE, 28);
      assertThat(store.stablePoint(ALICE)).as("the row still holds it at 20").isEmpty();
      store.ack(seq);
      assertThat(store.stablePoint(ALICE)).as("28 < 30").isEmpty();
      moveCursor(store, ALICE, 30);
      assertThat(store.stablePoint(ALICE)).hasValue(30);
      moveCursor(store, ALICE, 35);
      assertThat(store.stablePoint(ALICE)).hasValue(35);
    }
  }

  @Test
  void snapshotBelowTheCursor_withNothingReported_reportsTheHonestPoint() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      moveCursor(store, ALICE, 30);
      store.writeLocal(CART, add("a", 1));
      store.applySnapshotPage(ALICE, List.of());
      store.finishSnapshot(ALICE, 20);
      moveCursor(store, ALICE, 25);
      assertThat(store.stablePoint(ALICE)).hasValue(20);
    }
  }

  @Test
  void reportsAreRecordedAsTheGreatest_neverLowered() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      moveCursor(store, ALICE, 30);
      store.stableReported(Map.of(ALICE, 30L));
      store.stableReported(Map.of(ALICE, 10L));
      store.applySnapshotPage(ALICE, List.of());
      store.finishSnapshot(ALICE, 20);
      assertThat(store.stablePoint(ALICE)).isEmpty();
    }
  }

  @Test
  void rekey_startsTheReportsAfresh() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      moveCursor(store, ALICE, 30);
      store.writeLocal(CART, add("a", 1));
      report(store, ALICE);
      store.applySnapshotPage(ALICE, List.of());
      store.finishSnapshot(ALICE, 20);
      assertThat(store.stablePoint(ALICE)).isEmpty();

      store.rekey("test", Redelivery.NONE);
      assertThat(store.stablePoint(ALICE))
          .as("the new id reported nothing yet; the renumbered row keeps its cursor")
          .hasValue(20);
      assertThat(store.outbox(0, 10))
          .singleElement()
          .satisfies(
              row -> {
                assertThat(row.seq()).isEqualTo(1);
                assertThat(row.cursorAtWrite()).isEqualTo(20);
              });
    }
  }

  @Test
  void purgeWithoutRekey_keepsTheRecord_soTheRegrantedSpaceReportsNothingUntilItClimbsBack() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      moveCursor(store, TEAM, 40);
      report(store, TEAM);
      Purge purge = store.purgeSpace(TEAM);
      assertThat(purge.rekeyed()).as("no own dots, no unsent rows").isFalse();
      assertThat(store.cursor(TEAM)).isZero();
      assertThat(store.stablePoint(TEAM)).isEmpty();

      // Granted again: the space comes back by a snapshot.
      store.applySnapshotPage(TEAM, List.of());
      assertThat(store.stablePoint(TEAM)).isEmpty();
      store.finishSnapshot(TEAM, 45);
      assertThat(store.stablePoint(TEAM)).hasValue(45);
    }
  }

  @Test
  void purgeThatRekeys_startsEveryReportAfresh() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      moveCursor(store, TEAM, 40);
      moveCursor(store, ALICE, 7);
      store.writeLocal(TEAM_CART, add("a", 1));
      store.stableReported(Map.of(TEAM, 40L, ALICE, 7L));
      Purge purge = store.purgeSpace(TEAM);
      assertThat(purge.rekeyed()).isTrue();
      assertThat(store.stablePoint(TEAM)).hasValue(0);
      assertThat(store.stablePoint(ALICE)).hasValue(7);
    }
  }

  @Test
  void batchRolledBack_leavesNoRowAndThePointAsItWas() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      moveCursor(store, ALICE, 10);
      store.writeLocal(CART, add("a", 1));
      moveCursor(store, ALICE, 20);
      store.ack(1);
      assertThatThrownBy(
              () ->
                  store.batch(
                      () -> {
                        store.writeLocal(CART, add("b", 1));
                        throw new IllegalStateException("app failed");
                      }))
          .isInstanceOf(IllegalStateException.class);
      assertThat(store.pendingCount()).isZero();
      assertThat(store.stablePoint(ALICE)).hasValue(20);
    }
  }

  /**
   * A random history of writes, cursor moves, acks, rejections, snapshots (some below the cursor),
   * reports, re-keys, purges and restarts, against a model kept apart: every point the store offers
   * is the honest one (the lesser of the cursor and the oldest unacked row's cursor, rows clamped
   * by snapshots below the cursor), and the points reported under one replica id never go down.
   */
  @Test
  void randomHistory_pointsAreHonest_andReportsNeverGoDownUnderOneReplicaId() {
    long seed = Long.getLong("stable.seed", System.nanoTime());
    Random random = new Random(seed);
    Path file = dir.resolve("random.db");
    SqliteStore store = open(file);
    try {
      Map<String, Long> cursor = new HashMap<>();
      List<long[]> rows = new ArrayList<>(); // {space index, cursor at write}
      Map<String, Long> lastReported = new HashMap<>(); // "replica|space" -> point
      String[] spaces = {ALICE, TEAM};
      DocumentKey[] keys = {CART, TEAM_CART};
      for (int step = 0; step < 400; step++) {
        int s = random.nextInt(2);
        String space = spaces[s];
        long c = cursor.getOrDefault(space, 0L);
        switch (random.nextInt(10)) {
          case 0, 1 -> {
            store.writeLocal(keys[s], add("k" + random.nextInt(3), 1));
            rows.add(new long[] {s, c});
          }
          case 2, 3 -> {
            long to = c + 1 + random.nextInt(5);
            moveCursor(store, space, to);
            cursor.put(space, to);
          }
          case 4 -> {
            int n = random.nextInt(rows.size() + 1);
            if (n > 0) {
              store.ack(store.outbox(0, n).get(n - 1).seq());
              rows.subList(0, n).clear();
            }
          }
          case 5 -> {
            if (!rows.isEmpty()) {
              int i = random.nextInt(rows.size());
              store.quarantine(store.outbox(0, rows.size()).get(i).seq(), "dot_forged", "x");
              rows.remove(i);
            }
          }
          case 6 -> {
            // Mostly at or above the cursor; now and then below it (a reset log).
            long head =
                random.nextInt(5) == 0 ? random.nextInt((int) c + 1) : c + random.nextInt(4);
            store.applySnapshotPage(space, List.of());
            store.finishSnapshot(space, head);
            cursor.put(space, head);
            for (long[] row : rows) {
              if (row[0] == s) {
                row[1] = Math.min(row[1], head);
              }
            }
          }
          case 7 -> {
            OptionalLong point = store.stablePoint(space);
            if (point.isPresent()) {
              store.stableReported(Map.of(space, point.getAsLong()));
              String key = store.replica().replicaId() + "|" + space;
              assertThat(point.getAsLong())
                  .as("report of %s never lower (seed %d)", space, seed)
                  .isGreaterThanOrEqualTo(lastReported.getOrDefault(key, 0L));
              lastReported.put(key, point.getAsLong());
            }
          }
          case 8 -> {
            int pick = random.nextInt(6);
            if (pick == 0) {
              store.rekey("random", Redelivery.NONE);
            } else if (pick == 1) {
              store.purgeSpace(space);
              cursor.remove(space);
              rows.removeIf(row -> row[0] == s);
            }
          }
          default -> {
            store.close();
            store = open(file);
          }
        }
        for (int i = 0; i < 2; i++) {
          int si = i;
          long honest =
              rows.stream()
                  .filter(row -> row[0] == si)
                  .mapToLong(row -> row[1])
                  .reduce(cursor.getOrDefault(spaces[i], 0L), Math::min);
          OptionalLong point = store.stablePoint(spaces[i]);
          if (point.isPresent()) {
            assertThat(point.getAsLong())
                .as("honest point of %s at step %d (seed %d)", spaces[i], step, seed)
                .isEqualTo(honest);
          } else {
            assertThat(honest)
                .as("withheld only below a report of %s (seed %d)", spaces[i], seed)
                .isLessThan(
                    lastReported.getOrDefault(store.replica().replicaId() + "|" + spaces[i], 0L));
          }
        }
      }
    } finally {
      store.close();
    }
  }

  // ---- the schema migration -----------------------------------------------------------------

  /** The schema an SDK of version 1 wrote, frozen. */
  static final String[] SCHEMA_V1 = {
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
    "PRAGMA user_version = 1"
  };

  /** Writes a version-1 store file: replica "v1-replica", two unsent rows of ALICE at cursor 40. */
  static void writeVersion1(Path file, String... extra) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      for (String sql : SCHEMA_V1) {
        st.execute(sql);
      }
      st.execute(
          "INSERT INTO meta (key, value) VALUES ('replica_id', 'v1-replica'), ('next_seq', '3'),"
              + " ('hlc', '0:0'), ('rekeys', '0'), ('created_at', '1')");
      st.execute("INSERT INTO spaces (space, cursor) VALUES ('" + ALICE + "', 40)");
      for (int seq = 1; seq <= 2; seq++) {
        st.execute(
            "INSERT INTO outbox (seq, space, collection, doc_id, hlc, delta, created_at) VALUES ("
                + seq
                + ", '"
                + ALICE
                + "', 'carts', 'main', '1:0', '{\"s\":{},\"c\":{}}', 1)");
      }
      for (String sql : extra) {
        st.execute(sql);
      }
    }
  }

  @Test
  void version1Store_migrates_itsRowsHoldingThePointAtZeroUntilAcked() throws Exception {
    Path file = dir.resolve("v1.db");
    writeVersion1(file);
    try (SqliteStore store = open(file)) {
      assertThat(store.replica().replicaId()).isEqualTo("v1-replica");
      assertThat(store.outbox(0, 10))
          .extracting(OutboxRow::seq, OutboxRow::cursorAtWrite, OutboxRow::deltaJson)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(1L, 0L, "{\"s\":{},\"c\":{}}"),
              org.assertj.core.groups.Tuple.tuple(2L, 0L, "{\"s\":{},\"c\":{}}"));
      assertThat(store.stablePoint(ALICE))
          .as("the cursor the old rows were made at is unknown: 0 is safe")
          .hasValue(0);
      assertThat(store.writeLocal(CART, add("a", 1)).orElseThrow().cursorAtWrite()).isEqualTo(40);
      store.ack(2);
      assertThat(store.stablePoint(ALICE)).hasValue(40);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
        assertThat(rs.getInt(1)).isEqualTo(SqliteStore.SCHEMA_VERSION).isEqualTo(8);
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*) FROM pragma_index_info('outbox_by_space') WHERE name = 'cursor_at_write'")) {
        assertThat(rs.getInt(1)).as("min per space is an index lookup").isEqualTo(1);
      }
    }
  }

  @Test
  void migrationThatFailsHalfway_leavesTheVersion1FileAsItWas() throws Exception {
    Path file = dir.resolve("v1.db");
    // A table in the way makes the migration's last statement fail.
    writeVersion1(file, "CREATE TABLE stable_reports (x INTEGER)");
    assertThatThrownBy(() -> open(file)).isInstanceOf(StoreException.class);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*) FROM pragma_table_info('outbox') WHERE name = 'cursor_at_write'")) {
        assertThat(rs.getInt(1)).as("the column was rolled back with the rest").isZero();
      }
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM outbox")) {
        assertThat(rs.getInt(1)).isEqualTo(2);
      }
      st.execute("DROP TABLE stable_reports");
    }
    try (SqliteStore store = open(file)) {
      assertThat(store.stablePoint(ALICE)).hasValue(0);
      assertThat(store.pendingCount()).isEqualTo(2);
    }
  }
}
