package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.JdbcSqlDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change refused as {@code dot_reused} for dots of a retired id (the file was restored behind the
 * device's back, and the server revealed the fork) is made again under fresh dots, not reported.
 */
class RefusedReissueTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();
  private static final DocumentKey CART = new DocumentKey("user:alice", "carts", "main");
  private static final String REUSED =
      "dot d.1:1 at 'items/pear/qty' was already used in this document for another write";

  @TempDir Path dir;

  private SqliteStore open() throws Exception {
    return SqliteStore.open(
        JdbcSqlDatabase.open(dir.resolve("s.db"), false),
        CODEC,
        System::currentTimeMillis,
        HybridClock.DEFAULT_MAX_OFFSET);
  }

  private static LocalMutation add(String sku, long n) {
    return (doc, replica, hlc) -> Cart.of(doc).add(replica, sku, n);
  }

  private static LocalMutation remove(String sku) {
    return (doc, replica, hlc) -> Cart.of(doc).remove(sku);
  }

  @Test
  void aChangeRefusedForDotsOfItsRetiredId_isMadeAgainUnderFreshDots_notReported()
      throws Exception {
    try (SqliteStore store = open()) {
      String retired = store.replica().replicaId();
      store.writeLocal(CART, add("pear", 3));
      store.pushBatch(0, 10);
      store.rekey("server holds changes of this id beyond its seqs", Redelivery.NONE);
      String current = store.replica().replicaId();
      long refusedSeq = store.outbox(0, 10).get(0).seq();
      long nextSeq = store.replica().nextSeq();

      assertThat(store.quarantine(refusedSeq, "dot_reused", REUSED)).isEmpty();

      assertThat(store.rejected()).isEmpty();
      assertThat(store.replica().nextSeq()).isEqualTo(nextSeq + 1);
      OutboxRow again = store.outbox(0, 10).get(0);
      assertThat(again.seq()).isEqualTo(nextSeq);
      Document delta = CODEC.decodeDocument(again.deltaJson());
      assertThat(dots(delta)).isNotEmpty().allMatch(dot -> dot.replica().equals(current));
      assertThat(delta.context().replicas()).containsExactly(current);
      assertThat(Cart.of(delta).items()).containsExactly(Map.entry("pear", 3L));
      // The device reads what it wrote, now under the fresh dots, and re-reads the server's state,
      // which holds another write under the retired dot.
      Document local = store.read(CART).orElseThrow();
      assertThat(Cart.of(local).items()).containsExactly(Map.entry("pear", 3L));
      assertThat(dots(local)).noneMatch(dot -> dot.replica().equals(retired));
      assertThat(store.pendingRereads("user:alice", 10)).containsExactly(CART);

      Document server = new Document();
      Cart.of(server).add(retired, "fig", 2);
      store.applyRereads(
          "user:alice", List.of(new MessageParts.SnapshotDoc("carts", "main", server)));
      assertThat(Cart.of(store.read(CART).orElseThrow()).items())
          .containsExactlyInAnyOrderEntriesOf(Map.of("fig", 2L, "pear", 3L));
    }
  }

  @Test
  void aDotReusedOfTheCurrentId_isStillReported() throws Exception {
    try (SqliteStore store = open()) {
      store.writeLocal(CART, add("pear", 1));

      assertThat(store.quarantine(1, "dot_reused", REUSED)).isPresent();

      assertThat(store.rejected()).hasSize(1);
      assertThat(store.outbox(0, 10)).isEmpty();
    }
  }

  @Test
  void otherRefusalsOfARetiredIdsRow_areStillReported() throws Exception {
    try (SqliteStore store = open()) {
      store.writeLocal(CART, add("pear", 1));
      store.rekey("a fork", Redelivery.NONE);
      long seq = store.outbox(0, 10).get(0).seq();

      assertThat(store.quarantine(seq, "out_of_range", "too many")).isPresent();

      assertThat(store.outbox(0, 10)).isEmpty();
    }
  }

  @Test
  void anEntryALaterUnsentWriteRemoved_isNotMadeAgain_andThatWriteStopsNamingTheStaleDot()
      throws Exception {
    try (SqliteStore store = open()) {
      String retired = store.replica().replicaId();
      store.writeLocal(CART, add("pear", 1));
      store.pushBatch(0, 10);
      store.rekey("a fork", Redelivery.NONE);
      store.writeLocal(CART, remove("pear"));
      List<OutboxRow> rows = store.outbox(0, 10);
      assertThat(rows).hasSize(2);
      assertThat(CODEC.decodeDocument(rows.get(1).deltaJson()).context().replicas())
          .contains(retired);
      long nextSeq = store.replica().nextSeq();

      assertThat(store.quarantine(rows.get(0).seq(), "dot_reused", REUSED)).isEmpty();

      assertThat(store.replica().nextSeq()).as("nothing left to make again").isEqualTo(nextSeq);
      assertThat(store.outbox(0, 10)).extracting(OutboxRow::seq).containsExactly(rows.get(1).seq());
      Document removal = CODEC.decodeDocument(store.outbox(0, 10).get(0).deltaJson());
      assertThat(removal.context().replicas())
          .as("the server holds another write under the stale dot: it must not be removed")
          .doesNotContain(retired);
      assertThat(Cart.of(store.read(CART).orElseThrow()).items()).isEmpty();
    }
  }

  @Test
  void aSentWriteRefusedForSupersedingAReusedDot_isNotReported_andNamesNoRetiredDot()
      throws Exception {
    try (SqliteStore store = open()) {
      store.writeLocal(CART, add("pear", 1));
      store.pushBatch(0, 10);
      store.rekey("a fork", Redelivery.NONE);
      store.pushBatch(0, 10);
      store.writeLocal(CART, remove("pear"));
      store.pushBatch(0, 10);
      List<OutboxRow> rows = store.outbox(0, 10);
      assertThat(rows).hasSize(2);
      long nextSeq = store.replica().nextSeq();

      // The server refuses the add for reusing a dot, and the remove because it names that dot
      // (ReusedInPush): neither ever took effect, and the remove has nothing left to remove.
      assertThat(store.quarantine(rows.get(0).seq(), "dot_reused", REUSED)).isEmpty();
      assertThat(store.quarantine(rows.get(1).seq(), "dot_reused", "names a reused dot")).isEmpty();

      assertThat(store.rejected()).isEmpty();
      assertThat(store.outbox(0, 10)).isEmpty();
      assertThat(store.replica().nextSeq()).isEqualTo(nextSeq);
      assertThat(Cart.of(store.read(CART).orElseThrow()).items()).isEmpty();
      assertThat(store.pendingRereads("user:alice", 10)).containsExactly(CART);
    }
  }

  private static List<Dot> dots(Document document) {
    List<Dot> dots = new ArrayList<>();
    document.root().forEachDot(dots::add);
    return dots;
  }
}
