package dev.converge.sdk.internal.store;

import static dev.converge.sdk.internal.store.SqliteStoreTest.CODEC;
import static dev.converge.sdk.internal.store.SqliteStoreTest.add;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.policy.Cart;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.JdbcSqlDatabase;
import dev.converge.sdk.storage.SqlDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lazy folding ({@link PendingStates}): a local write leaves the stored state as it was, yet every
 * read sees it, everything that reads stored states sees it folded, a crash loses nothing, and a
 * failed write or a rolled-back batch leaves no trace in memory.
 */
class LazyFoldingTest {

  private static final List<DocumentKey> DOCS =
      List.of(
          new DocumentKey("user:alice", "carts", "a"),
          new DocumentKey("user:alice", "carts", "b"),
          new DocumentKey("user:alice", "carts", "c"));

  @TempDir Path dir;

  /** A store on a database the test can close behind its back, as a crash does. */
  private record Opened(SqliteStore store, SqlDatabase db) {}

  private static Opened open(Path file) throws SQLException {
    SqlDatabase db = JdbcSqlDatabase.open(file, false);
    return new Opened(
        SqliteStore.open(db, CODEC, System::currentTimeMillis, HybridClock.DEFAULT_MAX_OFFSET), db);
  }

  /** The stored state text of {@code key} and how many outbox rows are unfolded, read plainly. */
  private static String storedState(Path file, DocumentKey key) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT state FROM documents WHERE doc_id = '" + key.docId() + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static long unfoldedRows(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        ResultSet rs =
            c.createStatement().executeQuery("SELECT count(*) FROM outbox WHERE folded = 0")) {
      return rs.getLong(1);
    }
  }

  /** The join of the outbox deltas of {@code key}: what its state must be (nothing acked). */
  private static Document joinedDeltas(SqliteStore store, DocumentKey key) {
    Document joined = new Document();
    store.outbox(0, 100_000).stream()
        .filter(row -> row.key().equals(key))
        .forEach(row -> joined.join(CODEC.decodeDocument(row.deltaJson())));
    return joined;
  }

  @Test
  void writes_leaveTheStoredStateUntilAFold_butACrashLosesNone() throws Exception {
    Path file = dir.resolve("crash.db");
    Opened first = open(file);
    first.store().writeLocal(DOCS.get(0), add("apple", 2));
    first.store().writeLocal(DOCS.get(0), add("pear", 1));
    assertThat(Cart.of(first.store().read(DOCS.get(0)).orElseThrow()).items())
        .containsEntry("apple", 2L)
        .containsEntry("pear", 1L);
    first.db().close(); // a crash: committed rows, no fold

    assertThat(storedState(file, DOCS.get(0))).as("never folded").isNull();
    assertThat(unfoldedRows(file)).isEqualTo(2);

    Opened again = open(file);
    assertThat(Cart.of(again.store().read(DOCS.get(0)).orElseThrow()).items())
        .containsEntry("apple", 2L)
        .containsEntry("pear", 1L);
    Document expected = joinedDeltas(again.store(), DOCS.get(0));
    again.store().close();
    assertThat(unfoldedRows(file)).isZero();
    assertThat(storedState(file, DOCS.get(0))).isEqualTo(CODEC.encodeDocument(expected));
  }

  @Test
  void enoughWaitingWrites_foldOnTheirOwn() throws Exception {
    Path file = dir.resolve("full.db");
    Opened opened = open(file);
    for (int i = 0; i < PendingStates.MAX_ROWS; i++) {
      opened.store().writeLocal(DOCS.get(i % 2), add("sku" + (i % 7), 1));
    }
    assertThat(unfoldedRowsWhileOpen(opened)).isZero();
    opened.store().writeLocal(DOCS.get(0), add("fig", 1));
    assertThat(unfoldedRowsWhileOpen(opened)).isEqualTo(1);
    opened.store().close();
  }

  private static long unfoldedRowsWhileOpen(Opened opened) throws SQLException {
    return Sql.queryLong(opened.db(), "SELECT count(*) FROM outbox WHERE folded = 0");
  }

  @Test
  void aMutationThatThrowsHalfWay_orARolledBackBatch_leavesNothingInMemory() throws Exception {
    Opened opened = open(dir.resolve("fail.db"));
    SqliteStore store = opened.store();
    DocumentKey cart = DOCS.get(0);
    store.writeLocal(cart, add("apple", 1));
    LocalMutation halfWay =
        (doc, replica, hlc) -> {
          Cart.of(doc).add(replica, "ghost", 9);
          throw new IllegalStateException("the app's mutation failed half way");
        };
    assertThatThrownBy(() -> store.writeLocal(cart, halfWay))
        .isInstanceOf(IllegalStateException.class);
    store.batch(
        () -> {
          store.writeLocal(cart, add("pear", 1));
          try {
            store.writeLocal(cart, halfWay);
          } catch (IllegalStateException expected) {
            // the app goes on with its batch
          }
          store.writeLocal(cart, add("fig", 1));
        });
    assertThat(Cart.of(store.read(cart).orElseThrow()).items().keySet())
        .containsExactlyInAnyOrder("apple", "pear", "fig");
    assertThatThrownBy(
            () ->
                store.batch(
                    () -> {
                      store.writeLocal(cart, add("rolled-back", 1));
                      throw new IllegalStateException("the batch fails");
                    }))
        .isInstanceOf(IllegalStateException.class);

    assertThat(Cart.of(store.read(cart).orElseThrow()).items().keySet())
        .containsExactlyInAnyOrder("apple", "pear", "fig");
    assertThat(store.read(cart).orElseThrow()).isEqualTo(joinedDeltas(store, cart));
    store.close();
  }

  /**
   * Any mix of writes to three documents, reads, work that reads stored states (a listing),
   * batches, crashes and clean closes: every read equals the join of the document's outbox deltas,
   * and so does its stored text once folded.
   */
  @Test
  void anyMixOfWritesReadsFoldsAndCrashes_readsTheJoinOfTheDeltas() {
    AtomicInteger run = new AtomicInteger();
    qt().withFixedSeed(20261207L)
        .withExamples(30)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              try {
                mixedRun(dir.resolve("mix" + run.incrementAndGet() + ".db"), new Random(seed));
              } catch (SQLException e) {
                throw new AssertionError(e);
              }
            });
  }

  private static void mixedRun(Path file, Random random) throws SQLException {
    Opened opened = open(file);
    for (int step = 0; step < 600; step++) {
      SqliteStore store = opened.store();
      DocumentKey key = DOCS.get(random.nextInt(DOCS.size()));
      int pick = random.nextInt(100);
      if (pick < 70) {
        String sku = "sku" + random.nextInt(6);
        int op = random.nextInt(3);
        store.writeLocal(
            key,
            op == 0
                ? add(sku, 1 + random.nextInt(3))
                : op == 1
                    ? (doc, r, h) -> Cart.of(doc).setQuantity(r, sku, 1 + random.nextInt(4))
                    : (doc, r, h) -> Cart.of(doc).remove(sku));
      } else if (pick < 85) {
        assertThat(store.read(key).orElseGet(Document::new))
            .as("read at step %d", step)
            .isEqualTo(joinedDeltas(store, key));
      } else if (pick < 90) {
        // Reads stored rows: folds first.
        store.documentIds("user:alice", "carts", null, 10);
        assertThat(unfoldedRowsWhileOpen(opened)).as("folded at step %d", step).isZero();
      } else if (pick < 95) {
        store.batch(
            () -> {
              for (int i = 0; i < 1 + random.nextInt(5); i++) {
                store.writeLocal(
                    DOCS.get(random.nextInt(DOCS.size())), add("b" + random.nextInt(4), 1));
              }
            });
      } else if (pick < 98) {
        opened.db().close(); // crash
        opened = open(file);
      } else {
        store.close();
        opened = open(file);
      }
    }
    Map<DocumentKey, Document> expected = new HashMap<>();
    for (DocumentKey key : DOCS) {
      expected.put(key, joinedDeltas(opened.store(), key));
      assertThat(opened.store().read(key).orElseGet(Document::new)).isEqualTo(expected.get(key));
    }
    opened.store().close();
    for (DocumentKey key : DOCS) {
      String stored = storedState(file, key);
      if (stored != null) {
        assertThat(stored).isEqualTo(CODEC.encodeDocument(expected.get(key)));
      } else {
        assertThat(expected.get(key)).isEqualTo(new Document());
      }
    }
  }
}
