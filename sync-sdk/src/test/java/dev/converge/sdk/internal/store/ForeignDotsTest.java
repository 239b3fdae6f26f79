package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.policy.Cart;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForeignDotsTest {

  @Test
  void coversOnlyTheOtherReplicasStoreDots_andJoiningItDropsExactlyTheirValues() {
    Document device = new Document();
    Cart.of(device).add("me", "apple", 1);
    Document copied = Cart.of(device).add("them", "pear", 2);
    Document mine = Cart.of(device).add("me", "fig", 3);
    Document refused = Document.joined(copied, mine);

    Document drop = ForeignDots.of(refused, "me");

    assertThat(drop.root().isEmpty()).isTrue();
    assertThat(drop.context().contains(new Dot("them", 1))).isTrue();
    assertThat(drop.context().replicas()).containsExactly("them");
    device.join(drop);
    assertThat(Cart.of(device).items())
        .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 1L, "fig", 3L));
  }

  @Test
  void aChangeWithOnlyOwnDots_dropsNothing() {
    Document own = Cart.of(new Document()).add("me", "apple", 1);
    assertThat(ForeignDots.of(own, "me").context().isEmpty()).isTrue();
  }
}
