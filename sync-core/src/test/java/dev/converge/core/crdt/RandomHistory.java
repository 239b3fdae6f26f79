package dev.converge.core.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random replicas that edit one document concurrently and gossip some deltas, for property tests.
 * Some mutations write a name as another type than it usually holds (a register over a map, a
 * counter where a register is), so histories mix types the way hostile or buggy writers do.
 * Deterministic for a seed.
 *
 * <p>A compacting history also lets replicas compact their state now and then (each compaction
 * delta counts as a delta of that replica), at a stable point that is either the meet of what every
 * replica has seen or, carelessly, what the compacting replica alone has seen: the join laws must
 * hold for any states, runs included, whether or not the point was honest.
 */
final class RandomHistory {

  final Random random;
  final boolean compacting;
  final List<String> replicas = new ArrayList<>();
  final List<Document> states = new ArrayList<>();

  /** Every delta each replica produced, in order. */
  final List<List<Document>> deltas = new ArrayList<>();

  private long millis = 1_000;

  RandomHistory(long seed) {
    this(seed, false);
  }

  RandomHistory(long seed, boolean compacting) {
    this.random = new Random(seed);
    this.compacting = compacting;
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
      if (compacting && random.nextInt(5) == 0) {
        compact(r);
      } else if (random.nextInt(4) == 0 && step > 0) {
        gossip(r);
      } else if (compacting && random.nextBoolean()) {
        // Runs need several increments of one replica at one counter: give them some.
        deltas.get(r).add(increment(states.get(r), replicas.get(r)));
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

  private Document increment(Document doc, String replica) {
    List<String> path =
        random.nextBoolean() ? List.of("visits") : List.of("items", "k" + random.nextInt(3), "qty");
    return doc.addToCounter(replica, path, random.nextBoolean() ? 1 : -1 - random.nextInt(3));
  }

  private void compact(int r) {
    StablePoint stable = StablePoint.of(states.get(r).context());
    if (random.nextBoolean()) {
      for (Document state : states) {
        stable = stable.meet(StablePoint.of(state.context()));
      }
    }
    Document delta = states.get(r).compact(stable);
    if (!delta.isEmpty()) {
      deltas.get(r).add(delta);
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
