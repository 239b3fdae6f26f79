package dev.converge.sdk.internal.sync;

import static dev.converge.sdk.internal.sync.MachineHarness.ALICE;
import static dev.converge.sdk.internal.sync.MachineHarness.sent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.StablePoint;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.trust.DeltaVerifier;
import dev.converge.core.trust.Lineage;
import dev.converge.sdk.DocumentKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device joins the server's compaction delta like any change (crdt.md, "Bounded counters"): after
 * single increments of several replicas, its own included, the delta built by core's {@link
 * Document#compact} and delivered as an ordinary {@code changes} item leaves it with one run per
 * replica and the same value, round after round; and a remove the device makes afterwards covers
 * each run exactly, so an increment it had not seen survives.
 */
class CompactionDeltaTest {

  static final String SKU = "sku-1";
  static final DocumentKey CART = new DocumentKey(ALICE, "carts", "main");
  static final DeltaVerifier VERIFIER = new DeltaVerifier(CounterValue.MAX_INCREMENT);

  @TempDir Path dir;
  MachineHarness h;

  /** The server's state of the cart, and the head of its log of ALICE. */
  final Document server = new Document();

  long head;

  @BeforeEach
  void open() {
    h = new MachineHarness(dir);
    h.connect();
  }

  @AfterEach
  void close() {
    h.close();
  }

  /** Logs {@code delta} on the server and sends it to the device as one changes item. */
  void deliver(Document delta, MessageParts.Origin origin) {
    head++;
    h.receive(
        new Message.Changes(
            ALICE,
            head - 1,
            head,
            List.of(new MessageParts.ChangeItem(head, "carts", "main", delta, origin)),
            false));
  }

  /** Another replica increments, and the server fans it out. */
  void remoteIncrement(String replica) {
    Document delta = Cart.of(server).add(replica, SKU, 1);
    deliver(delta, new MessageParts.Origin(replica, head + 1));
  }

  /**
   * Answers the push the device has in flight as the server does: verifies, joins, acks, fans out.
   */
  void serve(Message.Push push) {
    List<MessageParts.ChangeItem> fanOut = new ArrayList<>();
    for (Changeset changeset : push.changesets()) {
      assertThat(VERIFIER.verify(server, changeset.delta(), Lineage.of(changeset.replicaId())))
          .as("the device's delta passes the trust boundary")
          .isEmpty();
      server.join(changeset.delta());
      fanOut.add(
          new MessageParts.ChangeItem(
              ++head,
              "carts",
              "main",
              changeset.delta(),
              new MessageParts.Origin(changeset.replicaId(), changeset.seq())));
    }
    long last = push.changesets().get(push.changesets().size() - 1).seq();
    h.receive(new Message.Ack(h.replicaId(), last, List.of()));
    h.receive(new Message.Changes(ALICE, head - fanOut.size(), head, fanOut, false));
  }

  void localIncrement() {
    h.store.writeLocal(CART, (doc, replica, hlc) -> Cart.of(doc).add(replica, SKU, 1));
    sent(h.step(new Event.LocalWrite()), Message.Push.class).forEach(this::serve);
  }

  Document device() {
    return h.store.read(CART).orElseThrow();
  }

  static Collection<CounterEntry> counter(Document doc) {
    return doc.get(Cart.qtyPath(SKU), CounterValue.class).orElseThrow().entries().values();
  }

  @Test
  void compactionDelta_leavesOneRunPerReplica_withTheSameValue_andALaterRemoveCoversEachRun() {
    for (int round = 1; round <= 3; round++) {
      for (int i = 0; i < 20; i++) {
        remoteIncrement("r1");
        remoteIncrement("r2");
        if (i % 4 == 0) {
          localIncrement();
        }
      }
      assertThat(h.store.pendingCount()).isZero();
      long value = Cart.of(device()).quantity(SKU);
      assertThat(value).isEqualTo(round * 45L);
      assertThat(counter(device()).size())
          .as("single increments, round %d", round)
          .isGreaterThan(3);

      // Everyone has seen everything: the server compacts and fans the delta out as a change.
      Document compaction = server.compact(StablePoint.of(server.context()));
      assertThat(compaction.isEmpty()).isFalse();
      deliver(compaction, null);

      Document device = device();
      assertThat(counter(device))
          .as("one run per replica after round %d", round)
          .hasSize(3)
          .allSatisfy(entry -> assertThat(entry.isRun()).isTrue());
      assertThat(counter(device).stream().map(CounterEntry::replica).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder("r1", "r2", h.replicaId());
      assertThat(Cart.of(device).quantity(SKU)).isEqualTo(value);
      assertThat(device)
          .as("the device holds exactly the server's compacted state")
          .isEqualTo(server);
    }

    // r1 adds one more, which the server has and the device has not seen when it removes the item.
    Document unseen = Cart.of(server).add("r1", SKU, 1);
    Collection<CounterEntry> runs = counter(device());
    h.store.writeLocal(CART, (doc, replica, hlc) -> Cart.of(doc).remove(SKU)).orElseThrow();
    assertThat(Cart.of(device()).items()).doesNotContainKey(SKU);
    Message.Push push = sent(h.step(new Event.LocalWrite()), Message.Push.class).get(0);
    Document removal = push.changesets().get(0).delta();
    for (CounterEntry run : runs) {
      assertThat(removal.context().contains(run.dot()))
          .as("the remove covers the run %s by its last dot", run)
          .isTrue();
    }

    // The server logged r1's increment first, then applies the remove; the device gets both.
    deliver(unseen, new MessageParts.Origin("r1", 999));
    serve(push);
    assertThat(Cart.of(server).quantity(SKU)).as("only the increment the remove never saw").isOne();
    assertThat(counter(server)).singleElement().satisfies(e -> assertThat(e.isRun()).isFalse());
    assertThat(device()).isEqualTo(server);
    assertThat(Cart.of(device()).quantity(SKU)).isOne();
  }
}
