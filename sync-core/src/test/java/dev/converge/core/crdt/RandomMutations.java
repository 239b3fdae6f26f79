package dev.converge.core.crdt;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Random;

/**
 * Random edits of one document as one replica, for property tests: registers, counters, sets and
 * maps under a few names, removes, and some writes of a name as another type than it usually holds
 * (a register over a map, a counter where a register is), the way hostile or buggy writers do.
 */
public final class RandomMutations {
  private RandomMutations() {}

  /**
   * Applies one random mutation to {@code doc} as {@code replica} at {@code hlc} and returns its
   * delta.
   */
  public static Document apply(Document doc, String replica, Random random, Hlc hlc) {
    String key = "k" + random.nextInt(3);
    return switch (random.nextInt(12)) {
      case 9 -> doc.addToCounter(replica, List.of("title"), 1 + random.nextInt(2));
      case 10 ->
          doc.writeRegister(
              replica, List.of("items"), JsonNodeFactory.instance.textNode("squat"), hlc);
      case 11 ->
          doc.writeRegister(
              replica, List.of("items", key, "qty"), JsonNodeFactory.instance.numberNode(7), hlc);
      case 0 ->
          doc.writeRegister(
              replica,
              List.of("reg", key),
              JsonNodeFactory.instance.numberNode(random.nextInt(100)),
              hlc);
      case 1 ->
          doc.writeRegister(
              replica,
              List.of("title"),
              JsonNodeFactory.instance.textNode("t" + random.nextInt(5)),
              hlc);
      case 2 ->
          doc.addToCounter(
              replica,
              List.of("items", key, "qty"),
              random.nextBoolean() ? 1 + random.nextInt(4) : -1 - random.nextInt(2));
      case 3 -> doc.remove(List.of("items", key));
      case 4 -> doc.addToSet(replica, List.of("tags"), key);
      case 5 -> doc.removeFromSet(List.of("tags"), key);
      case 6 ->
          doc.writeRegister(
              replica,
              List.of("items", key, "note"),
              JsonNodeFactory.instance.textNode("n" + random.nextInt(5)),
              hlc);
      case 7 -> doc.addToCounter(replica, List.of("visits"), 1 + random.nextInt(3));
      default -> doc.remove(List.of(random.nextBoolean() ? "reg" : "tags"));
    };
  }
}
