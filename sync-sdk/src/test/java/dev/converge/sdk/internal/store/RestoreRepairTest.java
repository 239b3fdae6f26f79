package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's side of repairing a restored server (docs/reliability.md, "Restoring the server"):
 * the re-key names the retiring id, which is declared while the repair runs; the snapshot's
 * documents, and those it does not name, get the rows the server lacks; the epoch is kept with the
 * cursor; the repair survives reopening the file.
 */
class RestoreRepairTest {

  static final ProtocolCodec CODEC = new ProtocolCodec();
  static final DocumentKey CART = new DocumentKey("user:alice", "carts", "main");
  static final DocumentKey LOST = new DocumentKey("user:alice", "carts", "lost");
  static final String EPOCH = "0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  private SqliteStore open() {
    return SqliteStore.open(dir.resolve("r.db"), CODEC, System::currentTimeMillis, false);
  }

  @Test
  void repair_queuesWhatTheRestoredServerLacks() {
    Document server;
    String retired;
    try (SqliteStore store = open()) {
      retired = store.replica().replicaId();
      store.writeLocal(CART, (doc, r, hlc) -> Cart.of(doc).add(r, "apple", 1));
      server = store.read(CART).orElseThrow().copy(); // what the backup holds
      store.writeLocal(CART, (doc, r, hlc) -> Cart.of(doc).add(r, "fig", 2));
      store.writeLocal(LOST, (doc, r, hlc) -> Cart.of(doc).add(r, "kiwi", 3));
      store.ack(3);
      store.applyChanges("user:alice", 7, List.of(), EPOCH);
      assertThat(store.epoch("user:alice")).isEqualTo(EPOCH);
      store.writeLocal(CART, (doc, r, hlc) -> Cart.of(doc).add(r, "plum", 1)); // unsent

      assertThat(store.beginRepair("user:alice")).isTrue();
      assertThat(store.beginRepair("user:alice")).as("already under way").isFalse();
      store.rekey("server restored", Redelivery.NONE);
      assertThat(store.predecessor()).contains(retired);
      assertThat(store.outbox(0, 10)).hasSize(1);
    }
    try (SqliteStore store = open()) {
      store.applySnapshotPage(
          "user:alice", List.of(new MessageParts.SnapshotDoc("carts", "main", server)), false);
      assertThat(store.outbox(0, 10)).hasSize(2);
      store.applySnapshotPage("user:alice", List.of(), true);
      store.finishSnapshot("user:alice", 2, null);
      assertThat(store.epoch("user:alice")).isNull();
      assertThat(store.cursor("user:alice")).isEqualTo(2);
      List<OutboxRow> rows = store.outbox(0, 10);
      assertThat(rows).hasSize(3);
      // The restored server joined with every queued row equals the device.
      Document main = server.copy();
      Document lost = new Document();
      for (OutboxRow row : rows) {
        (row.key().equals(CART) ? main : lost).join(CODEC.decodeDocument(row.deltaJson()));
      }
      assertThat(Cart.of(main).items()).isEqualTo(Map.of("apple", 1L, "fig", 2L, "plum", 1L));
      assertThat(Cart.of(lost).items()).isEqualTo(Map.of("kiwi", 3L));
      // The repair is over: nothing more is queued, and no predecessor is declared once acked.
      store.applySnapshotPage("user:alice", List.of(), true);
      assertThat(store.outbox(0, 10)).hasSize(3);
      store.ack(rows.get(rows.size() - 1).seq());
      assertThat(store.predecessor()).isEmpty();
    }
  }
}
