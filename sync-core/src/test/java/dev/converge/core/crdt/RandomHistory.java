package dev.converge.core.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random replicas that edit one document concurrently and gossip some deltas, for property tests.
 * Some mutations write a name as another type than it usually holds (a register over a map, a
 * counter where a register is), so histories mix types the way hostile or buggy writers do.
 * Deterministic for a seed.
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
    // Deliver a random subset, which may leave gaps: delta joins need no causal delivery for
    // convergence.
    for (Document delta : produced) {
      if (random.nextBoolean()) {
        states.get(to).join(delta);
      }
    }
  }

  /** Applies one random mutation to {@code doc} as {@code replica} and returns its delta. */
  Document mutate(Document doc, String replica, Random random) {
    millis += random.nextInt(3);
    return RandomMutations.apply(doc, replica, random, new Hlc(millis, random.nextInt(2)));
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
