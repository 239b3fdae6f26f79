package dev.converge.e2e;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.CrdtException;
import dev.converge.core.crdt.Document;
import dev.converge.core.policy.Cart;
import dev.converge.e2e.StormHistory.Outcome;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.internal.store.LocalMutation;
import dev.converge.sdk.internal.sync.Event;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The app on a simulated device: random operations on the storm's documents through the device's
 * store, as the SDK's document handles make them (a core mutator inside {@code writeLocal}, which
 * reads, writes and queues in one transaction; then a local-write event to the machine), each
 * recorded in the history with what it saw.
 */
final class SimApp {

  private static final List<String> SKUS = List.of("s0", "s1", "s2", "s3", "s4");

  private final SimDevice device;
  private final SimWorld world;
  private final Random random;

  SimApp(SimDevice device, SimWorld world, Random random) {
    this.device = device;
    this.world = world;
    this.random = random;
  }

  /** Performs one random operation (the device must be running). */
  void act() {
    String space = device.granted.stream().toList().get(random.nextInt(device.granted.size()));
    int pick = random.nextInt(100);
    if (pick < 18) {
      cartAdd(space);
    } else if (pick < 24) {
      cartRemove(space);
    } else if (pick < 30) {
      loose(space);
    } else if (pick < 40) {
      register(space, StormOps.PROFILE, StormOps.PROFILE_FIELDS.get(random.nextInt(2)));
    } else if (pick < 46) {
      register(space, StormOps.NOTE_ID, "title");
    } else if (pick < 54) {
      tagAdd(space);
    } else if (pick < 58) {
      tagRemove(space);
    } else if (pick < 66) {
      increment(space);
    } else if (pick < 84) {
      read(space, SimReads.DOCS.get(random.nextInt(SimReads.DOCS.size())));
    } else if (pick < 92) {
      device.syncNow(Duration.ofSeconds(20));
    } else if (pick < 96) {
      if (device.paused) {
        device.resume();
      } else {
        world.figures.count("client.pause");
        device.pause();
      }
    } else {
      read(space, StormOps.MAIN_CART);
    }
  }

  private void cartAdd(String space) {
    String sku = SKUS.get(random.nextInt(SKUS.size()));
    String key = space + "|" + sku;
    int bit = world.skuBits.getOrDefault(key, 0);
    if (bit > 30) {
      return;
    }
    world.skuBits.put(key, bit + 1);
    long start = world.loop.tick();
    if (write(space, StormOps.MAIN_CART, (doc, r, hlc) -> Cart.of(doc).add(r, sku, 1L << bit))) {
      record(
          new StormHistory.AddAtom(
              device.name,
              start,
              world.loop.tick(),
              Outcome.OK,
              SimReads.name(space, StormOps.MAIN_CART),
              sku + "#" + bit));
    }
  }

  private void cartRemove(String space) {
    String sku = SKUS.get(random.nextInt(SKUS.size()));
    Set<String> observed = new TreeSet<>();
    long start = world.loop.tick();
    boolean done =
        write(
            space,
            StormOps.MAIN_CART,
            (doc, r, hlc) -> {
              long q = Cart.of(doc).quantity(sku);
              if (q <= 0 || Cart.of(doc).items().get(sku) == null) {
                return new Document();
              }
              observed.addAll(StormRun.atoms(sku, q));
              return Cart.of(doc).remove(sku);
            });
    if (done) {
      record(
          new StormHistory.RemoveAtoms(
              device.name,
              start,
              world.loop.tick(),
              Outcome.OK,
              SimReads.name(space, StormOps.MAIN_CART),
              sku + "#",
              observed));
    }
  }

  /** The loose cart: adds, set-quantity and removes of any sku (convergence only). */
  private void loose(String space) {
    String sku = SKUS.get(random.nextInt(3));
    int kind = random.nextInt(3);
    long amount = 1 + random.nextInt(5);
    write(
        space,
        StormOps.LOOSE_CART,
        (doc, r, hlc) ->
            switch (kind) {
              case 0 -> Cart.of(doc).add(r, sku, amount);
              case 1 -> Cart.of(doc).setQuantity(r, sku, amount);
              default -> Cart.of(doc).remove(sku);
            });
  }

  private void register(String space, String docId, String field) {
    String value = device.name + "-" + field + "-" + (++world.unique);
    Set<String> seen = new TreeSet<>();
    long start = world.loop.tick();
    boolean done =
        write(
            space,
            docId,
            (doc, r, hlc) -> {
              seen.addAll(SimReads.values(doc, field));
              return doc.writeRegister(r, List.of(field), TextNode.valueOf(value), hlc);
            });
    if (done) {
      record(
          new StormHistory.WriteRegister(
              device.name,
              start,
              world.loop.tick(),
              Outcome.OK,
              SimReads.name(space, docId),
              field,
              value,
              seen));
    }
  }

  private void tagAdd(String space) {
    String element = device.name + "t" + (++world.unique);
    long start = world.loop.tick();
    if (write(
        space, StormOps.NOTE_ID, (doc, r, hlc) -> doc.addToSet(r, List.of("tags"), element))) {
      record(
          new StormHistory.AddAtom(
              device.name,
              start,
              world.loop.tick(),
              Outcome.OK,
              SimReads.name(space, StormOps.NOTE_ID),
              "tags#" + element));
    }
  }

  private void tagRemove(String space) {
    String[] picked = {null};
    long start = world.loop.tick();
    boolean done =
        write(
            space,
            StormOps.NOTE_ID,
            (doc, r, hlc) -> {
              List<String> visible =
                  doc.get(List.of("tags"), dev.converge.core.crdt.SetValue.class)
                      .map(s -> List.copyOf(s.elements()))
                      .orElse(List.of());
              if (visible.isEmpty()) {
                return new Document();
              }
              picked[0] = visible.get(random.nextInt(visible.size()));
              return doc.removeFromSet(List.of("tags"), picked[0]);
            });
    if (done) {
      String atom = "tags#" + picked[0];
      record(
          new StormHistory.RemoveAtoms(
              device.name,
              start,
              world.loop.tick(),
              Outcome.OK,
              SimReads.name(space, StormOps.NOTE_ID),
              atom,
              Set.of(atom)));
    }
  }

  private void increment(String space) {
    long amount = 1 + random.nextInt(9);
    long start = world.loop.tick();
    if (write(
        space, StormOps.NOTE_ID, (doc, r, hlc) -> doc.addToCounter(r, List.of("views"), amount))) {
      record(
          new StormHistory.Increment(
              device.name,
              start,
              world.loop.tick(),
              Outcome.OK,
              SimReads.name(space, StormOps.NOTE_ID),
              "views",
              amount));
    }
  }

  /** Reads a document of the device's replica into the history. */
  void read(String space, String docId) {
    long start = world.loop.tick();
    Document doc = device.store.read(SimReads.key(space, docId)).orElseGet(Document::new);
    world.history.add(SimReads.read(device.name, start, world.loop.tick(), space, docId, doc));
  }

  /** Writes locally and tells the machine; returns whether anything was written. */
  private boolean write(String space, String docId, LocalMutation mutation) {
    DocumentKey key = SimReads.key(space, docId);
    boolean written;
    try {
      written = device.store.writeLocal(key, mutation).isPresent();
    } catch (CrdtException e) {
      world.figures.count("app.crdt-refused");
      return false;
    }
    if (written) {
      world.figures.count("app.writes");
      device.step(new Event.LocalWrite());
    }
    return written;
  }

  private void record(StormHistory.Event event) {
    world.history.add(event);
  }
}
