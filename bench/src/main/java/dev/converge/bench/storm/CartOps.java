package dev.converge.bench.storm;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The cart-storm op stream shared with the peer harnesses of other sync systems: the same PRNG
 * (mulberry32) and choices, so every system replays identical ops: 40% add a sku of 100 (qty 1..5),
 * 40% increment an item present locally (1..3), 20% remove an item present locally.
 */
final class CartOps {
  static final int SEED_ITEMS = 20;
  static final int SKU_UNIVERSE = 100;

  enum Kind {
    ADD,
    INC,
    REMOVE
  }

  record Op(Kind kind, String sku, int qty) {}

  private CartOps() {}

  static String sku(int i) {
    return String.format("sku-%03d", i);
  }

  static TreeMap<String, Integer> seedCart() {
    TreeMap<String, Integer> cart = new TreeMap<>();
    for (int i = 0; i < SEED_ITEMS; i++) {
      cart.put(sku(i), 1);
    }
    return cart;
  }

  /** The mulberry32 generator. */
  static final class Mulberry32 {
    private int state;

    Mulberry32(int seed) {
      state = seed;
    }

    double next() {
      state += 0x6D2B79F5;
      int t = (state ^ (state >>> 15)) * (1 | state);
      t = (t + ((t ^ (t >>> 7)) * (61 | t))) ^ t;
      return ((t ^ (t >>> 14)) & 0xFFFFFFFFL) / 4294967296.0;
    }

    int nextInt(int n) {
      return (int) Math.floor(next() * n);
    }
  }

  static List<Op> generate(int seed, int client, int count) {
    Mulberry32 random =
        new Mulberry32((int) ((seed * 1000003L + client * 7919L + 1) & 0xFFFFFFFFL));
    TreeMap<String, Integer> local = seedCart();
    List<Op> ops = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      double r = random.next();
      List<String> present = new ArrayList<>(local.keySet());
      if (r < 0.4 || present.isEmpty()) {
        String sku = sku(random.nextInt(SKU_UNIVERSE));
        int qty = 1 + random.nextInt(5);
        ops.add(new Op(Kind.ADD, sku, qty));
        local.merge(sku, qty, Integer::sum);
      } else if (r < 0.8) {
        String sku = present.get(random.nextInt(present.size()));
        int delta = 1 + random.nextInt(3);
        ops.add(new Op(Kind.INC, sku, delta));
        local.merge(sku, delta, Integer::sum);
      } else {
        String sku = present.get(random.nextInt(present.size()));
        ops.add(new Op(Kind.REMOVE, sku, 0));
        local.remove(sku);
      }
    }
    return ops;
  }
}
