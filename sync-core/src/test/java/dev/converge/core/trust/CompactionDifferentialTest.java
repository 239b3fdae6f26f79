package dev.converge.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.CrdtValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.FieldKey;
import dev.converge.core.crdt.MapValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Compaction changes no read: one random schedule (offline increments and removes of cart lines,
 * concurrent adds, pushes and pulls interleaved at random, partial and grouped pulls, snapshots,
 * devices joining, retiring and re-keying) runs against a plain server and against one that
 * compacts at every step at the honest stable point; every replica reads the same in both at every
 * step. QuickTheories prints the falsifying seed; {@code run(seed)} replays it.
 */
class CompactionDifferentialTest {

  private static final int STEPS = 150;

  /** Both simulations after running the schedule of {@code seed}, checked step by step. */
  private static SyncSimulation[] run(long seed) {
    List<SyncSimulation.Op> ops = SyncSimulation.schedule(seed, STEPS);
    int initial = ops.get(0).device();
    SyncSimulation plain = new SyncSimulation(false, initial);
    SyncSimulation compacting = new SyncSimulation(true, initial);
    for (int i = 1; i < ops.size(); i++) {
      SyncSimulation.Op op = ops.get(i);
      plain.apply(op);
      compacting.apply(op);
      assertThat(compacting.reads())
          .as("seed %d, step %d: %s", seed, i, op)
          .isEqualTo(plain.reads());
    }
    return new SyncSimulation[] {plain, compacting};
  }

  @Test
  void compactingAtEveryStep_changesNoRead_ofAnyReplica_atAnyStep() {
    qt().withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SyncSimulation[] both = run(seed);
              for (SyncSimulation sim : both) {
                assertThat(sim.refusals).as("seed %d", seed).isEmpty();
                // Everyone caught up: every device holds exactly the server's state.
                sim.devices.values().forEach(d -> assertThat(d.state).isEqualTo(sim.server));
              }
            });
  }

  @Test
  void onceEveryoneCaughtUp_aCounterOfNIncrementsFromRReplicas_holdsAtMostREntries() {
    int[] increments = {0};
    int[] entries = {0};
    int[] coalesced = {0};
    qt().withExamples(100)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SyncSimulation[] both = run(seed);
              // Devices stay bounded too: having pulled the compaction deltas, each holds exactly
              // the compacted state.
              both[1].devices.values().forEach(d -> assertThat(d.state).isEqualTo(both[1].server));
              Map<List<String>, CounterValue> plain = counters(both[0].server);
              Map<List<String>, CounterValue> compacted = counters(both[1].server);
              assertThat(compacted.keySet()).isEqualTo(plain.keySet());
              for (Map.Entry<List<String>, CounterValue> counter : compacted.entrySet()) {
                // The plain server still holds one entry per increment: N of them from R replicas.
                CounterValue uncompacted = plain.get(counter.getKey());
                Set<String> replicas = new HashSet<>();
                uncompacted.entries().values().forEach(e -> replicas.add(e.replica()));
                List<String> holders = new ArrayList<>();
                counter.getValue().entries().values().stream()
                    .map(CounterEntry::replica)
                    .forEach(holders::add);
                assertThat(holders)
                    .as("seed %d, %s", seed, counter.getKey())
                    .doesNotHaveDuplicates()
                    .hasSizeLessThanOrEqualTo(replicas.size());
                assertThat(counter.getValue().value()).isEqualTo(uncompacted.value());
                increments[0] += uncompacted.entries().size();
                entries[0] += counter.getValue().entries().size();
                if (uncompacted.entries().size() > replicas.size()) {
                  coalesced[0]++;
                }
              }
            });
    // Not vacuous: in about 2.5 counters per schedule (measured), some replica had several
    // increments left for compaction to coalesce.
    assertThat(coalesced[0]).isGreaterThan(100);
    assertThat(increments[0]).isGreaterThan(entries[0]);
  }

  /**
   * The server's own rules ({@link dev.converge.core.server.CompactionRules}): the compaction point
   * is the least reported point (a serverSeq, as devices report it), each document's stable point
   * is derived from its state and the log above that point, and a pass replaces at most a few
   * entries. The same schedule against a plain server gives the same reads at every step; once
   * everyone has caught up (pulling until the compaction passes stop), every device holds the
   * server's state and every counter at most one entry per replica.
   */
  @Test
  void theServersRules_changeNoRead_andLeaveOneEntryPerReplica_onceEveryoneCaughtUp() {
    int[] coalesced = {0};
    qt().withExamples(200)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              List<SyncSimulation.Op> ops = SyncSimulation.schedule(seed, STEPS);
              int initial = ops.get(0).device();
              SyncSimulation plain = new SyncSimulation(SyncSimulation.Compaction.NONE, initial);
              SyncSimulation rules =
                  new SyncSimulation(SyncSimulation.Compaction.SERVER_RULES, initial);
              for (int i = 1; i < ops.size(); i++) {
                plain.apply(ops.get(i));
                rules.apply(ops.get(i));
                assertThat(rules.reads())
                    .as("seed %d, step %d: %s", seed, i, ops.get(i))
                    .isEqualTo(plain.reads());
              }
              // Partial passes go on while there is work: pull until the log stops growing.
              for (int round = 0; round < 1_000; round++) {
                int before = rules.logSize();
                for (int slot : List.copyOf(rules.devices.keySet())) {
                  SyncSimulation.Op pull =
                      new SyncSimulation.Op(SyncSimulation.Kind.PULL, slot, 0, 0);
                  plain.apply(pull);
                  rules.apply(pull);
                }
                assertThat(rules.reads())
                    .as("seed %d, round %d", seed, round)
                    .isEqualTo(plain.reads());
                if (rules.logSize() == before) {
                  break;
                }
              }
              assertThat(rules.refusals).as("seed %d", seed).isEmpty();
              assertThat(rules.aboveHonest).as("seed %d", seed).isEmpty();
              rules.devices.values().forEach(d -> assertThat(d.state).isEqualTo(rules.server));
              Map<List<String>, CounterValue> uncompacted = counters(plain.server);
              for (Map.Entry<List<String>, CounterValue> counter :
                  counters(rules.server).entrySet()) {
                List<String> holders = new ArrayList<>();
                counter.getValue().entries().values().stream()
                    .map(CounterEntry::replica)
                    .forEach(holders::add);
                assertThat(holders)
                    .as("seed %d, %s", seed, counter.getKey())
                    .doesNotHaveDuplicates();
                CounterValue before = uncompacted.get(counter.getKey());
                assertThat(counter.getValue().value()).isEqualTo(before.value());
                if (before.entries().size() > holders.size()) {
                  coalesced[0]++;
                }
              }
            });
    assertThat(coalesced[0]).isGreaterThan(100);
  }

  /** Every counter of {@code doc} by its path of names. */
  private static Map<List<String>, CounterValue> counters(Document doc) {
    Map<List<String>, CounterValue> sink =
        new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    collect(doc.root(), new ArrayList<>(), sink);
    return sink;
  }

  private static void collect(
      MapValue map, List<String> path, Map<List<String>, CounterValue> sink) {
    for (Map.Entry<FieldKey, CrdtValue> entry : map.typedEntries().entrySet()) {
      List<String> child = new ArrayList<>(path);
      child.add(entry.getKey().name());
      if (entry.getValue() instanceof CounterValue counter) {
        sink.put(List.copyOf(child), counter);
      } else if (entry.getValue() instanceof MapValue nested) {
        collect(nested, child, sink);
      }
    }
  }
}
