package dev.converge.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The repair filter in its {@link RepairDelta.Scope#WITH_REMOVES} scope: what a device pushes to a
 * server restored from a backup is accepted by the trust boundary, brings back every write of the
 * device's lineage and every remove it made of what the server holds, and never carries another
 * replica's write the server never had.
 */
class RepairDeltaWithRemovesTest {

  private static final String A = "deviceAreplica1";
  private static final String A_NEW = "deviceAreplica2";
  private static final String B = "deviceBreplica1";
  private final DeltaVerifier verifier = new DeltaVerifier(1L << 31);
  private final Lineage lineage = new Lineage(A_NEW, Set.of(A));

  private Document delta(Document local, Document server) {
    return RepairDelta.of(local, server, lineage, RepairDelta.Scope.WITH_REMOVES);
  }

  /** Joins the repair of {@code local} into {@code server} after the trust boundary passed it. */
  private Document repaired(Document local, Document server) {
    Document delta = delta(local, server);
    assertThat(verifier.verify(server, delta, lineage)).isEmpty();
    return Document.joined(server, delta);
  }

  @Test
  void ownWritesAfterTheDump_areBroughtBack() {
    Document local = new Document();
    Cart.of(local).add(A, "coffee", 2);
    Document dump = local.copy();
    Cart.of(local).add(A, "tea", 1);
    Cart.of(local).setQuantity(A, "coffee", 5);

    Document server = repaired(local, dump);

    assertThat(Cart.of(server).items()).isEqualTo(Cart.of(local).items());
    assertThat(server).isEqualTo(local);
  }

  @Test
  void removeOfAnotherDevicesItemAfterTheDump_isKept() {
    Document local = new Document();
    local.join(Cart.of(new Document()).add(B, "milk", 1));
    Document dump = local.copy();
    Cart.of(local).remove("milk");

    Document server = repaired(local, dump);

    assertThat(Cart.of(server).items()).doesNotContainKey("milk");
  }

  @Test
  void removeBeforeTheDump_needsNoRepair() {
    Document local = new Document();
    local.join(Cart.of(new Document()).add(B, "milk", 1));
    Cart.of(local).remove("milk");
    Document dump = local.copy();

    assertThat(delta(local, dump).isEmpty()).isTrue();
  }

  @Test
  void anotherDevicesWriteTheServerNeverHad_isNeverPushed() {
    Document local = new Document();
    Document dump = local.copy();
    local.join(Cart.of(new Document()).add(B, "bread", 3));

    assertThat(delta(local, dump).isEmpty()).isTrue();
  }

  @Test
  void ownValuesTheServerHolds_areNotCoveredByANewerOwnWrite() {
    Document local = new Document();
    local.writeRegister(A, List.of("name"), TextNode.valueOf("Ada"), new Hlc(1, 0));
    Document dump = local.copy();
    local.writeRegister(A, List.of("city"), TextNode.valueOf("Oslo"), new Hlc(2, 0));

    Document server = repaired(local, dump);

    assertThat(server).isEqualTo(local);
  }

  @Test
  void counterIncrementsAfterTheDump_giveTheExactTotal() {
    Document local = new Document();
    Cart.of(local).add(A, "coffee", 1);
    Document dump = local.copy();
    local.join(Cart.of(new Document()).add(B, "coffee", 10));
    dump.join(Cart.of(new Document()).add(B, "coffee", 10));
    Cart.of(local).add(A, "coffee", 2);
    Cart.of(local).add(A, "coffee", 4);

    Document server = repaired(local, dump);

    assertThat(Cart.of(server).quantity("coffee")).isEqualTo(17);
  }

  @Test
  void aSecondRepair_isEmpty() {
    Document local = new Document();
    local.join(Cart.of(new Document()).add(B, "milk", 1));
    Document dump = local.copy();
    Cart.of(local).add(A, "tea", 1);
    Cart.of(local).remove("milk");

    Document server = repaired(local, dump);

    assertThat(delta(local, server).isEmpty()).isTrue();
  }

  /**
   * Property: whatever a device did after the dump (adds, quantity changes, removes, of its own
   * items and of another device's items the server held), the repaired server equals the device's
   * state once the device also holds the server's.
   */
  @Test
  void repairedServerJoinedWithTheDevice_equalsTheDevice() {
    qt().withExamples(200)
        .forAll(lists().of(integers().between(0, 59)).ofSizeBetween(0, 30))
        .checkAssert(
            ops -> {
              Document local = new Document();
              local.join(Cart.of(new Document()).add(B, "b0", 1));
              local.join(Cart.of(new Document()).add(B, "b1", 2));
              Cart.of(local).add(A, "a0", 3);
              Document dump = local.copy();
              for (int op : ops) {
                String sku = (op % 3 == 0 ? "b" : "a") + (op % 2);
                switch (op / 20) {
                  case 0 -> Cart.of(local).add(A, sku, 1 + op % 5);
                  case 1 -> Cart.of(local).setQuantity(A, sku, 1 + op % 4);
                  default -> Cart.of(local).remove(sku);
                }
              }
              Document server = repaired(local, dump);
              assertThat(Document.joined(local, server)).isEqualTo(local);
              assertThat(Cart.of(server).items()).isEqualTo(Cart.of(local).items());
            });
  }
}
