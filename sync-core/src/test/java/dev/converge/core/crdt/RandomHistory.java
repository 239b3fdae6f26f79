package dev.converge.core.crdt;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random replicas that edit one document concurrently and gossip some deltas, for property tests.
 * Every field name has one fixed type, so histories never mix types. Deterministic for a seed.
 */
final class RandomHistory {

  final Random random;
  final List<String> replicas = new ArrayList<>();
  final List<Document> states = new ArrayList<>();
  /** Every delta each replica produced, in order. */
  final List<List<Document>> deltas = new ArrayList<>();
  private long millis = 1_000;

  RandomHistory(long seed) {
    this.random = new Random(seed);
    int count = 2 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      replicas.add("r" + i);
      states.add(new Document());
      deltas.add(new ArrayList<>());
    }
  }

  /** Runs {@code steps} random mutations, with some delta exchanges in between. */
  RandomHistory run(int steps) {
    for (int step = 0; step < steps; step++) {
      int r = random.nextInt(replicas.size());
      if (random.nextInt(4) == 0 && step > 0) {
        gossip(r);
      } else {
        deltas.get(r).add(mutate(states.get(r), replicas.get(r), random));
      }
    }
    return this;
  }

  private void gossip(int to) {
    int from = random.nextInt(replicas.size());
    List<Document> produced = deltas.get(from);
    if (from == to || produced.isEmpty()) {
      return;
    }
    // Deliver a random subset, which may leave gaps: delta joins need no causal delivery for convergence.
    for (Document delta : produced) {
      if (random.nextBoolean()) {
        states.get(to).join(delta);
      }
    }
  }

  /** Applies one random mutation to {@code doc} as {@code replica} and returns its delta. */
  Document mutate(Document doc, String replica, Random random) {
    String key = "k" + random.nextInt(3);
    millis += random.nextInt(3);
    Hlc hlc = new Hlc(millis, random.nextInt(2));
    return switch (random.nextInt(9)) {
      case 0 -> doc.writeRegister(replica, List.of("reg", key), JsonNodeFactory.instance.numberNode(random.nextInt(100)), hlc);
      case 1 -> doc.writeRegister(replica, List.of("title"), JsonNodeFactory.instance.textNode("t" + random.nextInt(5)), hlc);
      case 2 -> doc.addToCounter(replica, List.of("items", key, "qty"), random.nextBoolean() ? 1 + random.nextInt(4) : -1 - random.nextInt(2));
      case 3 -> doc.remove(List.of("items", key));
      case 4 -> doc.addToSet(replica, List.of("tags"), key);
      case 5 -> doc.removeFromSet(List.of("tags"), key);
      case 6 -> doc.writeRegister(replica, List.of("items", key, "note"), JsonNodeFactory.instance.textNode("n" + random.nextInt(5)), hlc);
      case 7 -> doc.addToCounter(replica, List.of("visits"), 1 + random.nextInt(3));
      default -> doc.remove(List.of(random.nextBoolean() ? "reg" : "tags"));
    };
  }

  /** Returns the join of every replica's full state. */
  Document fullJoin() {
    Document all = new Document();
    states.forEach(all::join);
    return all;
  }

  Document state(int i) {
    return states.get(i).copy();
  }
}
