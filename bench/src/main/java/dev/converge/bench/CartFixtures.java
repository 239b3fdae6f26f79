package dev.converge.bench;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic carts and deltas shared by the benchmarks. */
final class CartFixtures {
  static final String SERVER_REPLICA = "c2VydmVyUmVwbGljYUlkMDE";
  static final String DEVICE_REPLICA = "ZGV2aWNlUmVwbGljYUlkMDE";

  private CartFixtures() {}

  /** A cart of {@code items} skus, each added once by one replica. */
  static Document cart(int items) {
    Document doc = new Document();
    Cart cart = Cart.of(doc);
    for (int i = 0; i < items; i++) {
      cart.add(SERVER_REPLICA, sku(i), 1 + i % 5);
    }
    return doc;
  }

  /**
   * Single-operation deltas made by a second replica that has seen {@code base}: adds, quantity
   * changes and removes of random skus in it, as a device would ship them.
   */
  static List<Document> singleOpDeltas(Document base, int count, long seed) {
    Document device = base.copy();
    Cart cart = Cart.of(device);
    Random random = new Random(seed);
    int items = cart.items().size();
    List<Document> deltas = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String sku = sku(random.nextInt(items));
      int op = random.nextInt(10);
      if (op < 6) {
        deltas.add(cart.add(DEVICE_REPLICA, sku, 1 + random.nextInt(3)));
      } else if (op < 9) {
        deltas.add(cart.setQuantity(DEVICE_REPLICA, sku, 1 + random.nextInt(5)));
      } else {
        deltas.add(cart.remove(sku));
      }
    }
    return deltas;
  }

  static List<Changeset> changesets(int count) {
    Document doc = cart(50);
    List<Document> deltas = singleOpDeltas(doc, count, 7);
    List<Changeset> changesets = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      changesets.add(
          new Changeset(
              DEVICE_REPLICA,
              i + 1,
              "user:alice",
              "carts",
              "main",
              new Hlc(1_764_065_400_000L + i, 0),
              deltas.get(i)));
    }
    return changesets;
  }

  static String sku(int i) {
    return String.format("sku-%04d", i);
  }
}
