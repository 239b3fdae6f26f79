package dev.converge.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The cache of decoded states: an entry is used only for exactly the text it was encoded to, handed
 * to one reader at a time, bounded; and a server keeping decoded states decides every push exactly
 * as one that parses every stored state.
 */
class DecodedStatesTest {

  private static final DocumentRef CART = new DocumentRef("user:alice", "carts", "main");
  private static final DocumentRef OTHER = new DocumentRef("user:alice", "carts", "other");

  private static Document cartWith(String sku) {
    Document doc = new Document();
    Cart.of(doc).add("phone", sku, 1);
    return doc;
  }

  @Test
  void aKeptDocument_isTakenForItsOwnText_once() {
    DecodedStates cache = new DecodedStates(1_000);
    Document doc = cartWith("tea");
    cache.keep(CART, "{\"text\":1}", doc);

    // An equal text read back from storage is another String instance: compared by content.
    assertThat(cache.take(CART, new String("{\"text\":1}"))).isSameAs(doc);
    assertThat(cache.take(CART, "{\"text\":1}")).as("handed to one reader at a time").isNull();
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(1);
  }

  @Test
  void otherTextThanTheKeptOne_isAMiss_andDropsTheEntry() {
    DecodedStates cache = new DecodedStates(1_000);
    cache.keep(CART, "{\"text\":1}", cartWith("tea"));

    assertThat(cache.take(CART, "{\"text\":2}")).isNull();
    assertThat(cache.size()).isZero();
    assertThat(cache.chars()).isZero();
    assertThat(cache.take(OTHER, "{\"text\":1}")).as("another document").isNull();
  }

  @Test
  void theBound_evictsTheLeastRecentlyUsed_andSkipsOversizeTexts() {
    DecodedStates cache = new DecodedStates(100);
    cache.keep(CART, "a".repeat(20), cartWith("tea"));
    cache.keep(OTHER, "b".repeat(20), cartWith("coffee"));
    DocumentRef third = new DocumentRef("user:alice", "carts", "third");
    cache.keep(third, "c".repeat(25), cartWith("milk"));
    assertThat(cache.chars()).isEqualTo(65);
    DocumentRef fourth = new DocumentRef("user:alice", "carts", "fourth");

    cache.keep(fourth, "d".repeat(25), cartWith("jam"));
    cache.keep(fourth, "e".repeat(25), cartWith("jam")); // replaces its own entry
    assertThat(cache.chars()).isEqualTo(90);
    cache.keep(new DocumentRef("user:alice", "carts", "fifth"), "f".repeat(25), cartWith("oil"));

    assertThat(cache.size()).isEqualTo(4);
    assertThat(cache.chars()).isEqualTo(95);
    assertThat(cache.take(CART, "a".repeat(20))).as("the eldest went first").isNull();
    cache.keep(new DocumentRef("s", "c", "big"), "x".repeat(26), cartWith("big"));
    assertThat(cache.take(new DocumentRef("s", "c", "big"), "x".repeat(26)))
        .as("beyond a quarter of the bound: not kept")
        .isNull();
    assertThat(new DecodedStates(0).size()).isZero();
    assertThatThrownBy(() -> new DecodedStates(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aServerKeepingDecodedStates_decidesEveryPushAsOneThatParsesThem() {
    AtomicLong compacted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicLong hits = new AtomicLong();
    qt().withExamples(60)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Twins twins = new Twins(seed);
              twins.run(80);
              compacted.addAndGet(twins.compactions);
              refused.addAndGet(twins.refusals);
              hits.addAndGet(twins.cached.hits());
            });
    // The property covered what it is about: kept states were used, and states changed behind
    // the cache (compaction) and refusals' context-only joins happened.
    assertThat(hits.get()).isPositive();
    assertThat(compacted.get()).isPositive();
    assertThat(refused.get()).isPositive();
  }

  /** The same pushes into a server that keeps decoded states and one that keeps none. */
  private static final class Twins {
    static final String SPACE = "user:alice";
    static final List<String> DOCS = List.of("a", "b", "c");

    final Random random;
    final DecodedStates cached = new DecodedStates(1L << 20);
    final AtomicLong clock = new AtomicLong(1_764_065_400_000L);
    final MemoryServer withCache = new MemoryServer(clock::get, cached);
    final MemoryServer without = new MemoryServer(clock::get, DecodedStates.none());
    final List<Device> devices = new ArrayList<>();
    long compactions;
    long refusals;

    Twins(long seed) {
      random = new Random(seed);
      for (int i = 0; i < 3; i++) {
        devices.add(new Device("phone" + i));
      }
    }

    void run(int steps) {
      for (int step = 0; step < steps; step++) {
        clock.addAndGet(1_000);
        int pick = random.nextInt(20);
        if (pick == 0) {
          compactions += withCache.compact(SPACE, clock.get()).size();
          without.compact(SPACE, clock.get());
        } else {
          Device device = devices.get(random.nextInt(devices.size()));
          if (pick == 1) {
            // The device lost its file but kept its id: its next writes reuse dots, refused.
            device.docs.clear();
          }
          List<Changeset> push = new ArrayList<>();
          int size = 1 + random.nextInt(4);
          for (int i = 0; i < size; i++) {
            push.add(device.write(random));
          }
          PushOutcome a = withCache.push("alice", Set.of(SPACE), push);
          PushOutcome b = without.push("alice", Set.of(SPACE), push);
          assertThat(a.results()).isEqualTo(b.results());
          assertThat(a.refusals()).isEqualTo(b.refusals());
          refusals += a.refusals().size();
        }
        assertThat(withCache.states(SPACE)).isEqualTo(without.states(SPACE));
        assertThat(withCache.logAfter(SPACE, 0, Integer.MAX_VALUE))
            .isEqualTo(without.logAfter(SPACE, 0, Integer.MAX_VALUE));
      }
    }

    /** A device of alice: its own copy of each document, from which it writes deltas. */
    private static final class Device {
      final String replica;
      final java.util.Map<String, Document> docs = new java.util.HashMap<>();
      long seq;

      Device(String replica) {
        this.replica = replica;
      }

      Changeset write(Random random) {
        String docId = DOCS.get(random.nextInt(DOCS.size()));
        Cart cart = Cart.of(docs.computeIfAbsent(docId, d -> new Document()));
        String sku = "sku" + random.nextInt(6);
        int op = random.nextInt(10);
        Document delta =
            op < 5
                ? cart.add(replica, sku, 1 + random.nextInt(3))
                : op < 8 ? cart.setQuantity(replica, sku, random.nextInt(4)) : cart.remove(sku);
        seq++;
        return new Changeset(
            replica, seq, SPACE, "carts", docId, new Hlc(1_764_065_400_000L + seq, 0), delta);
      }
    }
  }
}
