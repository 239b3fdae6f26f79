package dev.converge.sdk.internal.store;

import static dev.converge.sdk.internal.store.SqliteStoreTest.CART;
import static dev.converge.sdk.internal.store.SqliteStoreTest.CODEC;
import static dev.converge.sdk.internal.store.SqliteStoreTest.add;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.core.crdt.Hlc;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The next seq and the clock of a store ({@link PendingMeta}) are written once per transaction, at
 * its commit: a batch leaves them where its last write put them, a rolled-back batch where they
 * were, and a re-key's reset is not undone by the writes before it.
 */
class PendingMetaTest {

  @TempDir Path dir;

  private static SqliteStore open(Path file) {
    return SqliteStore.open(file, CODEC, System::currentTimeMillis, false);
  }

  private static String meta(Path file, String key) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        ResultSet rs =
            c.createStatement().executeQuery("SELECT value FROM meta WHERE key = '" + key + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Test
  void aBatch_storesTheNextSeqAndClockOfItsLastWrite_andAReopenedStoreGoesOnFromThere()
      throws Exception {
    Path file = dir.resolve("batch.db");
    String lastHlc;
    try (SqliteStore store = open(file)) {
      store.batch(
          () -> {
            for (int i = 0; i < 50; i++) {
              store.writeLocal(CART, add("sku-" + i, 1));
            }
          });
      assertThat(store.replica().nextSeq()).isEqualTo(51);
      lastHlc = store.outbox(0, 100).get(49).hlc();
    }
    assertThat(meta(file, "next_seq")).isEqualTo("51");
    assertThat(meta(file, "hlc")).isEqualTo(lastHlc);
    try (SqliteStore reopened = open(file)) {
      assertThat(reopened.writeLocal(CART, add("after", 1)).orElseThrow().seq()).isEqualTo(51);
      assertThat(Hlc.parse(reopened.outbox(0, 100).get(50).hlc()))
          .isGreaterThan(Hlc.parse(lastHlc));
    }
  }

  @Test
  void aRolledBackBatch_leavesTheNextSeqAndClockAsTheyWere() throws Exception {
    Path file = dir.resolve("rollback.db");
    try (SqliteStore store = open(file)) {
      store.writeLocal(CART, add("kept", 1));
    }
    String hlcBefore = meta(file, "hlc");
    try (SqliteStore store = open(file)) {
      assertThatThrownBy(
              () ->
                  store.batch(
                      () -> {
                        store.writeLocal(CART, add("lost-1", 1));
                        store.writeLocal(CART, add("lost-2", 1));
                        throw new IllegalStateException("the batch fails");
                      }))
          .isInstanceOf(IllegalStateException.class);
    }
    // (The store holds its file exclusively while open: it is read between opens.)
    assertThat(meta(file, "next_seq")).isEqualTo("2");
    assertThat(meta(file, "hlc")).isEqualTo(hlcBefore);
    try (SqliteStore store = open(file)) {
      assertThatThrownBy(
              () ->
                  store.batch(
                      () -> {
                        store.writeLocal(CART, add("lost-3", 1));
                        throw new IllegalStateException("the batch fails");
                      }))
          .isInstanceOf(IllegalStateException.class);
      // Nothing pending from the rolled-back batch reaches the next commit.
      store.writeLocal(CART, add("next", 1));
      assertThat(store.outbox(0, 100)).extracting(OutboxRow::seq).containsExactly(1L, 2L);
    }
    assertThat(meta(file, "next_seq")).isEqualTo("3");
  }

  @Test
  void aValueWrittenNow_replacesTheOnePendingForItsKey() throws Exception {
    Path file = dir.resolve("now.db");
    try (SqliteStore store = open(file)) {
      store.writeLocal(CART, add("first", 1));
    }
    var db = dev.converge.sdk.storage.JdbcSqlDatabase.open(file, false);
    try {
      PendingMeta meta = new PendingMeta(db);
      db.begin();
      meta.putAtCommit("next_seq", "40");
      meta.putNow("next_seq", "7");
      meta.flush();
      db.commit();
    } finally {
      db.close();
    }
    assertThat(meta(file, "next_seq")).isEqualTo("7");
  }
}
