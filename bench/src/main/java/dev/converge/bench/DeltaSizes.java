package dev.converge.bench;

import dev.converge.core.crdt.Document;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Prints encoded sizes: a one-item cart add, the same as a pushed changeset, the mean single-op
 * delta against a 1,000-item cart, and the 100-changeset push the codec benchmark uses.
 */
public final class DeltaSizes {
  private DeltaSizes() {}

  /** Prints the figures, one per line. */
  public static void main(String[] args) {
    ProtocolCodec codec = new ProtocolCodec();
    Document add = Cart.of(new Document()).add(CartFixtures.DEVICE_REPLICA, "sku-0001", 1);
    System.out.printf("one-item cart add delta: %d bytes%n", bytes(codec.encodeDocument(add)));
    var changeset = CartFixtures.changesets(1).get(0);
    System.out.printf(
        "one single-op changeset: %d bytes%n", bytes(codec.encodeChangeset(changeset)));

    Document cart = CartFixtures.cart(1_000);
    List<Document> deltas = CartFixtures.singleOpDeltas(cart, 1_000, 42);
    long total = deltas.stream().mapToLong(d -> bytes(codec.encodeDocument(d))).sum();
    System.out.printf(
        "mean single-op delta against a 1,000-item cart: %.1f bytes%n", total / 1_000.0);
    System.out.printf("1,000-item cart state: %d bytes%n", bytes(codec.encodeDocument(cart)));
    System.out.printf(
        "push of 100 changesets: %d bytes%n",
        bytes(codec.encode(new Message.Push(CartFixtures.changesets(100)))));
  }

  private static int bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8).length;
  }
}
