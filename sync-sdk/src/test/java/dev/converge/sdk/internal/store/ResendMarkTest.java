package dev.converge.sdk.internal.store;

import static dev.converge.sdk.internal.store.SqliteStoreTest.CART;
import static dev.converge.sdk.internal.store.SqliteStoreTest.CODEC;
import static dev.converge.sdk.internal.store.SqliteStoreTest.add;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.sdk.DocumentKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which renumbered rows a re-key marks resent ({@link Redelivery}): the rows of a copied or
 * restored file all, the rows sent before a purge, none more after the server disagreed with the
 * id; a mark survives later re-keys, and a row written after a re-key is never marked.
 */
class ResendMarkTest {

  @TempDir Path dir;

  private SqliteStore open(Path file) {
    return SqliteStore.open(file, CODEC, System::currentTimeMillis, false);
  }

  /** The seqs of the rows whose push-ready text is marked resent, checked by decoding it. */
  private static List<Long> resentSeqs(SqliteStore store) {
    return store.outbox(0, 100).stream()
        .filter(row -> CODEC.decodeChangeset(row.changesetJson()).resend())
        .map(OutboxRow::seq)
        .toList();
  }

  private static void writeToFiveDocuments(SqliteStore store) {
    for (int i = 0; i < 5; i++) {
      store.writeLocal(new DocumentKey("user:alice", "carts", "cart" + i), add("sku", 1));
    }
  }

  @Test
  void copiedOrRestoredFile_marksEveryRowItHeld_andNoRowWrittenAfter() throws Exception {
    Path original = dir.resolve("a/s.db");
    Files.createDirectories(original.getParent());
    try (SqliteStore store = open(original)) {
      writeToFiveDocuments(store);
      store.pushBatch(0, 2);
      assertThat(resentSeqs(store)).isEmpty();
    }
    Path copy = dir.resolve("b/s.db");
    Files.createDirectories(copy.getParent());
    Files.copy(original, copy);
    try (SqliteStore store = open(copy)) {
      assertThat(store.replica().rekeys()).isEqualTo(1);
      assertThat(resentSeqs(store)).containsExactly(1L, 2L, 3L, 4L, 5L);
      store.writeLocal(CART, add("new", 1));
      assertThat(resentSeqs(store)).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(store.pushBatch(0, 100))
          .filteredOn(row -> row.seq() == 6)
          .singleElement()
          .satisfies(row -> assertThat(row.changesetJson()).doesNotContain("\"resend\""));
    }
  }

  @Test
  void purge_marksTheRowsSentBefore_andTheMarkOutlivesARekeyThatVouchesForNone() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      writeToFiveDocuments(store);
      store.pushBatch(0, 2);

      store.rekey("space team:1 purged", Redelivery.SENT_ROWS);
      assertThat(resentSeqs(store)).containsExactly(1L, 2L);

      store.ack(1);
      store.rekey("seq_regression: test", Redelivery.NONE);
      assertThat(store.outbox(0, 100)).extracting(OutboxRow::seq).containsExactly(1L, 2L, 3L, 4L);
      assertThat(resentSeqs(store))
          .as("the row sent before the purge, renumbered")
          .containsExactly(1L);
    }
  }

  @Test
  void serverDisagreeingWithTheId_marksNothing_evenRowsSentBefore() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      writeToFiveDocuments(store);
      store.pushBatch(0, 5);
      store.rekey("another copy of this database uses replica x", Redelivery.NONE);
      assertThat(store.outbox(0, 100)).hasSize(5);
      assertThat(resentSeqs(store)).isEmpty();
    }
  }

  @Test
  void aMarkedRowJoinedWithLaterWritesOfItsDocument_staysMarked() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      store.writeLocal(CART, add("apple", 1));
      store.pushBatch(0, 1);
      store.rekey("space team:1 purged", Redelivery.SENT_ROWS);
      store.writeLocal(CART, add("pear", 1));
      store.writeLocal(CART, add("fig", 1));

      List<OutboxRow> pushed = store.pushBatch(0, 100);

      assertThat(pushed)
          .singleElement()
          .satisfies(
              row -> {
                assertThat(row.toSeq()).isEqualTo(3);
                assertThat(CODEC.decodeChangeset(row.changesetJson()).resend()).isTrue();
              });
    }
  }
}
