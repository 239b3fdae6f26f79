package dev.converge.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.StablePoint;
import dev.converge.core.protocol.ProtocolCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The server's compaction rules on one document: the compaction point of a space, the stable point
 * derived from the log above it, and what one compaction writes.
 */
class CompactionRulesTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();
  private static final List<String> VIEWS = List.of("views");

  /** A document with its log: entry i (1-based) is the i-th delta joined. */
  private static final class Logged {
    final Document state = new Document();
    final List<CompactionRules.LoggedDelta> log = new ArrayList<>();

    void increment(String replica, long amount) {
      Document delta = state.addToCounter(replica, VIEWS, amount);
      log.add(
          new CompactionRules.LoggedDelta(log.size() + 1, replica, CODEC.encodeDocument(delta)));
    }

    List<CompactionRules.LoggedDelta> above(long point) {
      return log.subList((int) point, log.size());
    }

    List<Document> pushedAbove(long point) {
      return above(point).stream().map(e -> CODEC.decodeDocument(e.deltaJson())).toList();
    }
  }

  private static List<CounterEntry> entries(Document doc) {
    return List.copyOf(doc.get(VIEWS, CounterValue.class).orElseThrow().entries().values());
  }

  @Test
  void compactionPoint_isTheLeastLivePoint_withinTheHorizonAndTheHead() {
    assertThat(CompactionRules.compactionPoint(40, 0, List.of()))
        .as("no live replica")
        .isEqualTo(40);
    assertThat(CompactionRules.compactionPoint(40, 0, List.of(30L, 12L, 35L))).isEqualTo(12);
    assertThat(CompactionRules.compactionPoint(40, 20, List.of(30L, 12L)))
        .as("a point below the horizon left the live set")
        .isEqualTo(30);
    assertThat(CompactionRules.compactionPoint(40, 20, List.of(5L)))
        .as("only points below the horizon: nothing live")
        .isEqualTo(40);
    assertThat(CompactionRules.compactionPoint(40, 0, List.of(90L))).isEqualTo(40);
  }

  @Test
  void stablePoint_isTheContextsPrefix_cappedBelowTheFirstStoreDotLoggedAboveThePoint() {
    Logged doc = new Logged();
    for (int i = 0; i < 6; i++) {
      doc.increment("a", 1);
      doc.increment("b", 2);
    }
    // Entries 1..8 are at or below the point: a:1..4, b:1..4; a:5, b:5, a:6, b:6 are above it.
    StablePoint point = CompactionRules.stablePoint(doc.state, doc.pushedAbove(8));
    assertThat(point.versionVector()).isEqualTo(Map.of("a", 4L, "b", 4L));
    assertThat(CompactionRules.stablePoint(doc.state, doc.pushedAbove(12)).versionVector())
        .isEqualTo(Map.of("a", 6L, "b", 6L));
    assertThat(CompactionRules.stablePoint(doc.state, doc.pushedAbove(0)).versionVector())
        .isEmpty();
  }

  @Test
  void compact_coalescesWhatIsStable_andItsDeltaBoundsADeviceHoldingSingleDots() {
    Logged doc = new Logged();
    for (int i = 0; i < 5; i++) {
      doc.increment("a", 1);
      doc.increment("b", 10);
    }
    Document device = CODEC.decodeDocument(CODEC.encodeDocument(doc.state));
    CompactionRules rules = new CompactionRules(CODEC, 1_000);

    CompactionRules.DocumentCompaction result =
        rules.compact(CODEC.encodeDocument(doc.state), 8, doc.above(8));

    assertThat(result.compacted()).isTrue();
    assertThat(result.entriesBefore()).isEqualTo(10);
    assertThat(result.entriesAfter()).isEqualTo(4); // a:1..4, b:1..4, then a:5 and b:5 single
    assertThat(result.nextDue()).as("the first entry above the point").isEqualTo(9);
    Document compacted = CODEC.decodeDocument(result.stateJson());
    assertThat(entries(compacted))
        .containsExactly(
            CounterEntry.run("a", 1, 4, 4),
            CounterEntry.single(new Dot("a", 5), 1),
            CounterEntry.run("b", 1, 4, 40),
            CounterEntry.single(new Dot("b", 5), 10));
    device.join(CODEC.decodeDocument(result.deltaJson()));
    assertThat(device).as("the delta turns the single dots into the runs").isEqualTo(compacted);
    assertThat(compacted.toJson()).isEqualTo(doc.state.toJson());

    // A remove made by a replica that saw the log up to the point, then the compaction entry: it
    // covers both runs, and a's and b's 5th increments, which it never saw, stay.
    Document remover = new Document();
    doc.log.subList(0, 8).forEach(e -> remover.join(CODEC.decodeDocument(e.deltaJson())));
    remover.join(CODEC.decodeDocument(result.deltaJson()));
    Document remove = remover.remove(VIEWS);
    device.join(remove);
    assertThat(device.get(VIEWS, CounterValue.class).orElseThrow().value()).isEqualTo(11);
  }

  @Test
  void compactionEntries_aboveThePoint_neitherCapTheStablePointNorMakeTheDocumentDue() {
    Logged doc = new Logged();
    for (int i = 0; i < 4; i++) {
      doc.increment("a", 1);
    }
    CompactionRules rules = new CompactionRules(CODEC, 1_000);
    CompactionRules.DocumentCompaction first =
        rules.compact(CODEC.encodeDocument(doc.state), 4, List.of());
    assertThat(first.nextDue()).isNull();
    List<CompactionRules.LoggedDelta> above =
        List.of(new CompactionRules.LoggedDelta(5, CompactionRules.ORIGIN, first.deltaJson()));

    // Two more increments, then a pass at a point below the first compaction's entry.
    Document state = CODEC.decodeDocument(first.stateJson());
    for (int i = 0; i < 2; i++) {
      state.addToCounter("a", VIEWS, 1);
    }
    CompactionRules.DocumentCompaction second =
        rules.compact(CODEC.encodeDocument(state), 4, above);
    assertThat(second.nextDue()).isNull();
    assertThat(entries(CODEC.decodeDocument(second.stateJson())))
        .containsExactly(CounterEntry.run("a", 1, 6, 6));
  }

  @Test
  void aPassReplacesAtMostTheConfiguredEntries_andLeavesTheDocumentDue() {
    Logged doc = new Logged();
    for (int i = 0; i < 10; i++) {
      doc.increment("a", 1);
    }
    CompactionRules rules = new CompactionRules(CODEC, 4);
    CompactionRules.DocumentCompaction result =
        rules.compact(CODEC.encodeDocument(doc.state), 10, List.of());
    assertThat(result.nextDue()).as("due again at once").isEqualTo(10);
    Document compacted = CODEC.decodeDocument(result.stateJson());
    assertThat(entries(compacted)).hasSize(7).first().isEqualTo(CounterEntry.run("a", 1, 4, 4));

    CompactionRules.DocumentCompaction next = rules.compact(result.stateJson(), 10, List.of());
    CompactionRules.DocumentCompaction last = rules.compact(next.stateJson(), 10, List.of());
    assertThat(last.nextDue()).isNull();
    assertThat(entries(CODEC.decodeDocument(last.stateJson())))
        .containsExactly(CounterEntry.run("a", 1, 10, 10));
  }

  @Test
  void anEntryAtOrBelowThePoint_isRefusedAsAbove() {
    Logged doc = new Logged();
    doc.increment("a", 1);
    CompactionRules rules = new CompactionRules(CODEC, 10);
    assertThatThrownBy(() -> rules.compact(CODEC.encodeDocument(doc.state), 1, doc.log))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CompactionRules(CODEC, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
