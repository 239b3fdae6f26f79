package dev.converge.core.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Counter runs and their compaction: a run replaces a replica's stable increments without changing
 * a read, subsumes the entries inside its range in joins, and is covered by its last dot.
 */
class CounterCompactionTest {

  private static final List<String> QTY = List.of("items", "tea", "qty");
  private static final List<String> ITEM = List.of("items", "tea");

  private static CounterValue counter(Document doc, List<String> path) {
    return doc.get(path, CounterValue.class).orElseThrow();
  }

  private static StablePoint everythingSeenBy(Document doc) {
    return StablePoint.of(doc.context());
  }

  @Test
  void stableIncrements_becomeOneRunPerReplica_spanningOtherFieldsDots_withTheSameValue() {
    Document doc = new Document();
    for (int i = 1; i <= 5; i++) {
      doc.addToCounter("a", QTY, i);
      doc.writeRegister("a", List.of("note"), TextNode.valueOf("n" + i), new Hlc(i, 0));
      doc.addToCounter("b", QTY, 10);
    }
    long before = counter(doc, QTY).value();

    Document delta = doc.compact(everythingSeenBy(doc));

    assertThat(counter(doc, QTY).value()).isEqualTo(before).isEqualTo(15 + 50);
    // a's increments are its odd dots 1..9; its register writes (even dots) sit inside the range.
    assertThat(counter(doc, QTY).entries().values())
        .containsExactly(CounterEntry.run("a", 1, 9, 15), CounterEntry.run("b", 1, 5, 50));
    assertThat(delta.isEmpty()).isFalse();
    assertThat(doc.get(List.of("note"), RegisterValue.class).orElseThrow().value())
        .contains(TextNode.valueOf("n5"));
  }

  @Test
  void onlyStableEntriesAreCoalesced_andThePointIsClampedToWhatTheDocumentSaw() {
    Document doc = new Document();
    for (int i = 0; i < 6; i++) {
      doc.addToCounter("a", QTY, 1);
    }
    doc.compact(StablePoint.of(Map.of("a", 4L, "zz", 99L)));
    assertThat(counter(doc, QTY).entries().values())
        .containsExactly(
            CounterEntry.run("a", 1, 4, 4),
            CounterEntry.single(new Dot("a", 5), 1),
            CounterEntry.single(new Dot("a", 6), 1));

    Document fresh = new Document();
    fresh.addToCounter("a", QTY, 1);
    fresh.addToCounter("a", QTY, 1);
    // A point claiming dots this document never saw coalesces nothing beyond what it saw.
    fresh.compact(StablePoint.of(Map.of("a", 1_000L)));
    assertThat(counter(fresh, QTY).entries().values())
        .containsExactly(CounterEntry.run("a", 1, 2, 2));
  }

  @Test
  void compaction_isIdempotent_monotone_andAnInflation() {
    Document doc = new Document();
    for (int i = 0; i < 8; i++) {
      doc.addToCounter(i % 2 == 0 ? "a" : "b", QTY, i + 1);
    }
    Document original = doc.copy();
    Document stepwise = doc.copy();
    stepwise.compact(StablePoint.of(Map.of("a", 3L)));
    stepwise.compact(StablePoint.of(Map.of("a", 5L, "b", 2L)));
    stepwise.compact(everythingSeenBy(doc));
    doc.compact(everythingSeenBy(doc));

    assertThat(stepwise).isEqualTo(doc);
    Document again = doc.copy();
    assertThat(again.compact(everythingSeenBy(doc)).isEmpty()).isTrue();
    assertThat(again).isEqualTo(doc);
    assertThat(Document.joined(doc, original)).isEqualTo(doc);
    assertThat(Document.joined(original, doc)).isEqualTo(doc);
  }

  @Test
  void singleDotsJoinedWithTheirRun_leaveOnlyTheRun_inEitherOrder_withoutCountingTwice() {
    Document device = new Document();
    for (int i = 0; i < 4; i++) {
      device.addToCounter("a", QTY, 2);
    }
    Document server = device.copy();
    server.compact(everythingSeenBy(server));

    for (Document joined :
        List.of(Document.joined(device, server), Document.joined(server, device))) {
      assertThat(counter(joined, QTY).entries().values())
          .containsExactly(CounterEntry.run("a", 1, 4, 8));
      assertThat(counter(joined, QTY).value()).isEqualTo(8);
    }
  }

  @Test
  void aSmallerRun_isSubsumedByTheRunThatGrewFromIt() {
    Document server = new Document();
    for (int i = 0; i < 3; i++) {
      server.addToCounter("a", QTY, 1);
    }
    server.compact(everythingSeenBy(server));
    Document device = server.copy();
    server.addToCounter("a", QTY, 1);
    server.addToCounter("a", QTY, 1);
    Document grow = server.compact(everythingSeenBy(server));

    assertThat(counter(device, QTY).entries().values())
        .containsExactly(CounterEntry.run("a", 1, 3, 3));
    device.join(grow);
    assertThat(counter(device, QTY).entries().values())
        .containsExactly(CounterEntry.run("a", 1, 5, 5));
    assertThat(device).isEqualTo(server);
  }

  @Test
  void compactionDelta_replacesTheEntriesOfADeviceThatHeldThemAsSingleDots() {
    Document server = new Document();
    Document device = new Document();
    for (int i = 0; i < 5; i++) {
      device.join(server.addToCounter("a", QTY, 3));
      device.join(server.addToCounter("b", QTY, 1));
    }
    device.join(server.addToCounter("b", QTY, 1)); // not yet stable
    Document before = server.copy();

    Document delta = server.compact(StablePoint.of(Map.of("a", 5L, "b", 5L)));

    assertThat(Document.joined(before, delta)).isEqualTo(server);
    device.join(delta);
    assertThat(device).isEqualTo(server);
    assertThat(counter(device, QTY).entries()).hasSize(3);
    assertThat(counter(device, QTY).value()).isEqualTo(21);
  }

  @Test
  void removeMadeAgainstARun_coversItByItsLastDot_onEveryReplicaThatHoldsTheRun() {
    Document server = new Document();
    Document phone = new Document();
    for (int i = 0; i < 4; i++) {
      phone.join(server.addToCounter("a", QTY, 1));
    }
    Document laptop = server.copy();
    phone.join(server.compact(everythingSeenBy(server)));
    laptop.join(server.copy()); // a snapshot

    Document remove = laptop.remove(ITEM);

    assertThat(remove.context()).isEqualTo(CausalContext.of(List.of(new Dot("a", 4))));
    server.join(remove);
    phone.join(remove);
    assertThat(server.get(ITEM)).isEmpty();
    assertThat(phone.get(ITEM)).isEmpty();
    assertThat(phone).isEqualTo(server).isEqualTo(laptop);
  }

  @Test
  void incrementConcurrentWithARemoveOfTheRun_survivesWithItsOwnAmount() {
    Document server = new Document();
    for (int i = 0; i < 4; i++) {
      server.addToCounter("a", QTY, 5);
    }
    server.compact(everythingSeenBy(server));
    Document phone = server.copy();
    Document laptop = server.copy();
    Document increment = phone.addToCounter("a", QTY, 2);
    Document remove = laptop.remove(ITEM);

    server.join(remove);
    server.join(increment);
    phone.join(remove);
    laptop.join(increment);

    for (Document doc : List.of(server, phone, laptop)) {
      assertThat(counter(doc, QTY).value()).isEqualTo(2);
      assertThat(doc).isEqualTo(server);
    }
  }

  @Test
  void runsNeverSpanBeyondTheirBound_andAnOversizeStoredIncrementSplitsThem() {
    CounterValue wide = new CounterValue();
    long last = CounterEntry.MAX_RUN_SPAN + 2;
    wide.put(new Dot("a", 1), 1);
    wide.put(new Dot("a", CounterEntry.MAX_RUN_SPAN), 1);
    wide.put(new Dot("a", last), 1);
    CounterValue runs = new CounterValue();
    wide.compact(replica -> last, runs, new CausalContext());
    assertThat(wide.entries().values())
        .containsExactly(
            CounterEntry.run("a", 1, CounterEntry.MAX_RUN_SPAN, 2),
            CounterEntry.single(new Dot("a", last), 1));

    // Stored under a wider configured bound: such an increment stays a single dot.
    CounterValue stored = new CounterValue();
    stored.put(new Dot("a", 1), 1);
    stored.put(new Dot("a", 2), 1);
    stored.put(new Dot("a", 3), CounterValue.MAX_INCREMENT + 1);
    stored.put(new Dot("a", 4), 1);
    stored.put(new Dot("a", 5), 1);
    long value = stored.value();
    stored.compact(replica -> 5, new CounterValue(), new CausalContext());
    assertThat(stored.entries().values())
        .containsExactly(
            CounterEntry.run("a", 1, 2, 2),
            CounterEntry.single(new Dot("a", 3), CounterValue.MAX_INCREMENT + 1),
            CounterEntry.run("a", 4, 5, 2));
    assertThat(stored.value()).isEqualTo(value);
  }

  @Test
  void overlappingEntries_areLeftAsTheyAre_soCompactionStaysAnInflation() {
    // Only compaction at a careless point, then joins, can leave a dot inside another run's range.
    CounterValue overlapping = new CounterValue();
    overlapping.put(CounterEntry.single(new Dot("a", 8), -2));
    overlapping.put(CounterEntry.run("a", 6, 10, -2));
    CounterValue before = overlapping.copy();
    CounterValue runs = new CounterValue();
    overlapping.compact(replica -> 10, runs, new CausalContext());
    assertThat(overlapping).isEqualTo(before);
    assertThat(runs.isEmpty()).isTrue();
  }

  @Test
  void aRunIsBoundedByItsSpanTimesTheIncrementBound() {
    assertThat(CounterEntry.run("a", 1, 2, 2 * CounterValue.MAX_INCREMENT).sum())
        .isEqualTo(1L << 32);
    assertThatThrownBy(() -> CounterEntry.run("a", 1, 2, 2 * CounterValue.MAX_INCREMENT + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bound");
    assertThatThrownBy(() -> CounterEntry.run("a", 3, 3, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("first < last");
    assertThatThrownBy(() -> CounterEntry.run("a", 1, CounterEntry.MAX_RUN_SPAN + 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spans at most");
    assertThat(CounterEntry.MAX_RUN_SPAN * CounterValue.MAX_INCREMENT)
        .isLessThanOrEqualTo(CounterValue.MAX_VALUE);
  }

  @Test
  void stablePoint_meetIsThePerReplicaMinimum_andAReplicaNamedByOneSideIsNotStable() {
    StablePoint a = StablePoint.of(Map.of("x", 5L, "y", 3L));
    StablePoint b = StablePoint.of(Map.of("x", 2L, "z", 9L));
    assertThat(a.meet(b)).isEqualTo(StablePoint.of(Map.of("x", 2L)));
    assertThat(a.meet(b).isBelow(a)).isTrue();
    assertThat(a.isStable(new Dot("y", 3))).isTrue();
    assertThat(a.isStable(new Dot("y", 4))).isFalse();
    assertThat(StablePoint.of(Map.of("x", 0L))).isEqualTo(StablePoint.NONE);
    CausalContext seen =
        CausalContext.of(List.of(new Dot("x", 1), new Dot("x", 2), new Dot("x", 4)));
    assertThat(StablePoint.of(seen)).isEqualTo(StablePoint.of(Map.of("x", 2L)));
    assertThatThrownBy(() -> StablePoint.of(Map.of("x", -1L)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void compaction_neverChangesARead_andItsDeltaObeysTheDeltaLaw() {
    qt().withExamples(500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              RandomHistory h = new RandomHistory(seed, true).run(40);
              for (int i = 0; i < h.states.size(); i++) {
                Document before = h.state(i);
                Document after = before.copy();
                StablePoint point = StablePoint.of(before.context());
                Document delta = after.compact(point);
                assertThat(after.toJson()).as("seed " + seed).isEqualTo(before.toJson());
                assertThat(after.context()).isEqualTo(before.context());
                assertThat(Document.joined(before, delta)).as("seed " + seed).isEqualTo(after);
                assertThat(Document.joined(after, before)).as("seed " + seed).isEqualTo(after);
                Document again = after.copy();
                assertThat(again.compact(point).isEmpty()).isTrue();
                assertThat(again).isEqualTo(after);
              }
            });
  }
}
