package dev.converge.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.ProtocolCodec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cart policy's merge rules, each as a named scenario between replicas that exchange deltas.
 */
class CartScenarioTest {

  private final Document phone = new Document();
  private final Document laptop = new Document();

  @Test
  void concurrentAddOfSameItem_sumsQuantities() {
    Document fromPhone = Cart.of(phone).add("phone", "sku-1", 2);
    Document fromLaptop = Cart.of(laptop).add("laptop", "sku-1", 3);

    phone.join(fromLaptop);
    laptop.join(fromPhone);

    assertThat(Cart.of(phone).items()).containsExactly(Map.entry("sku-1", 5L));
    assertThat(laptop).isEqualTo(phone);
  }

  @Test
  void addConcurrentWithRemove_itemSurvivesWithUnseenIncrementsOnly() {
    laptop.join(Cart.of(phone).add("phone", "sku-1", 2));
    Document removal = Cart.of(laptop).remove("sku-1");
    Document moreFromPhone = Cart.of(phone).add("phone", "sku-1", 3);

    phone.join(removal);
    laptop.join(moreFromPhone);

    // The remove saw the first 2; the concurrent +3 it never saw survives.
    assertThat(Cart.of(phone).items()).containsExactly(Map.entry("sku-1", 3L));
    assertThat(laptop).isEqualTo(phone);
  }

  @Test
  void setQuantity_addsTheDifferenceToWhatThisReplicaSees() {
    laptop.join(Cart.of(phone).add("phone", "sku-1", 2));
    Document fromLaptop = Cart.of(laptop).setQuantity("laptop", "sku-1", 5);
    Document fromPhone = Cart.of(phone).add("phone", "sku-1", 1);

    phone.join(fromLaptop);
    laptop.join(fromPhone);

    assertThat(Cart.of(phone).quantity("sku-1")).isEqualTo(6);
    assertThat(Cart.of(laptop).quantity("sku-1")).isEqualTo(6);
  }

  @Test
  void concurrentDecrementsBelowZero_itemReadsAbsent_andAddStartsFromScratch() {
    laptop.join(Cart.of(phone).add("phone", "sku-1", 2));
    Document fromPhone = Cart.of(phone).setQuantity("phone", "sku-1", 1);
    Document fromLaptop = Cart.of(laptop).setQuantity("laptop", "sku-1", 1);
    phone.join(fromLaptop);
    laptop.join(fromPhone);
    assertThat(Cart.of(phone).quantity("sku-1")).isZero();
    assertThat(Cart.of(phone).items()).isEmpty();

    phone.join(laptop.copy());
    Document readd = Cart.of(phone).add("phone", "sku-1", 1);
    laptop.join(readd);

    assertThat(Cart.of(laptop).items()).containsExactly(Map.entry("sku-1", 1L));
    assertThat(Cart.of(phone).items()).containsExactly(Map.entry("sku-1", 1L));
  }

  @Test
  void setQuantityZero_isARemove() {
    Cart.of(phone).add("phone", "sku-1", 4);
    Cart.of(phone).setQuantity("phone", "sku-1", 0);
    assertThat(Cart.of(phone).items()).isEmpty();
    assertThat(phone.root().isEmpty()).isTrue();
  }

  @Test
  void removingAnItem_leavesNoTombstone_stateSizeBackToTheContext() {
    ProtocolCodec codec = new ProtocolCodec();
    Cart.of(phone).add("phone", "keep", 1);
    String before = codec.encodeDocument(phone);
    for (int i = 0; i < 50; i++) {
      Cart.of(phone).add("phone", "sku-" + i, i + 1);
    }
    for (int i = 0; i < 50; i++) {
      Cart.of(phone).remove("sku-" + i);
    }

    assertThat(Cart.of(phone).items()).containsOnlyKeys("keep");
    // Only the context grew (one version-vector number), no per-element tombstone remains.
    assertThat(phone.root().entries().get("items").dots()).hasSize(1);
    assertThat(codec.encodeDocument(phone).length()).isLessThanOrEqualTo(before.length() + 3);
  }

  @Test
  void totalCount_sumsItemsInTheCart() {
    Cart.of(phone).add("phone", "a", 2);
    Cart.of(phone).add("phone", "b", 3);
    assertThat(Cart.of(phone).totalCount()).isEqualTo(5);
  }

  @Test
  void badArguments_areRejectedAndChangeNothing() {
    Cart.of(phone).add("phone", "a", 2);
    Document before = phone.copy();
    assertThatThrownBy(() -> Cart.of(phone).add("phone", "a", 0)).hasMessage("quantity <= 0: 0");
    assertThatThrownBy(() -> Cart.of(phone).setQuantity("phone", "a", -1))
        .hasMessage("quantity < 0: -1");
    assertThatThrownBy(() -> Cart.of(phone).add("phone", " ", 1)).hasMessage("sku is blank");
    assertThat(phone).isEqualTo(before);
  }
}
