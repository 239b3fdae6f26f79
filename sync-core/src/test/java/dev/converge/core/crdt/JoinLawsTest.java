package dev.converge.core.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The semilattice laws of the join and the delta laws, over random histories of random replicas.
 * Each property runs 1,000 generated seeds, each for a plain history and for one whose replicas
 * compact counters into runs (so every law covers runs, their subsumption and compaction deltas);
 * QuickTheories prints the falsifying seed, and {@code new RandomHistory(seed, compacting)} replays
 * it.
 */
class JoinLawsTest {

  private static final int EXAMPLES = 1_000;

  /** The plain history of a seed (as it always was), and the compacting one. */
  private static List<RandomHistory> histories(long seed, int steps) {
    return List.of(new RandomHistory(seed).run(steps), new RandomHistory(seed, true).run(steps));
  }

  @Test
  void joinIsCommutative() {
    qt().withExamples(EXAMPLES)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              for (RandomHistory h : histories(seed, 30)) {
                Document a = h.state(0);
                Document b = h.state(1);
                assertThat(Document.joined(a, b)).isEqualTo(Document.joined(b, a));
              }
            });
  }

  @Test
  void joinIsAssociative() {
    qt().withExamples(EXAMPLES)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              for (RandomHistory h : histories(seed, 30)) {
                Document a = h.state(0);
                Document b = h.state(1);
                Document c = h.state(h.states.size() - 1);
                assertThat(Document.joined(Document.joined(a, b), c))
                    .isEqualTo(Document.joined(a, Document.joined(b, c)));
              }
            });
  }

  @Test
  void joinIsIdempotent() {
    qt().withExamples(EXAMPLES)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              for (RandomHistory h : histories(seed, 30)) {
                Document a = h.state(0);
                Document self = a.copy();
                self.join(self);
                assertThat(Document.joined(a, a)).isEqualTo(a);
                assertThat(self).isEqualTo(a);
              }
            });
  }

  @Test
  void deltaJoinedIntoItsOrigin_equalsMutatedState() {
    qt().withExamples(EXAMPLES)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              for (RandomHistory h : histories(seed, 30)) {
                Document mutated = h.state(0);
                Document origin = mutated.copy();
                Document delta =
                    h.mutate(mutated, h.replicas.get(0), new Random(seed ^ 0x5DEECE66DL));
                origin.join(delta);
                assertThat(origin).isEqualTo(mutated);
              }
            });
  }

  @Test
  void deltaJoinedIntoAnotherReplica_equalsJoinWithMutatedState() {
    qt().withExamples(EXAMPLES)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              for (RandomHistory h : histories(seed, 30)) {
                Document mutated = h.state(0);
                Document before = mutated.copy();
                Document other = h.state(1);
                Document delta = h.mutate(mutated, h.replicas.get(0), new Random(~seed));
                // other ⊔ d must equal other ⊔ (whole mutated state) restricted to what other also
                // had seen of before
                Document viaDelta = Document.joined(Document.joined(other, before), delta);
                assertThat(viaDelta).isEqualTo(Document.joined(other, mutated));
              }
            });
  }

  @Test
  void shuffledDuplicatedAndResentDeltas_convergeToFullStateExchange() {
    qt().withExamples(EXAMPLES)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              for (RandomHistory h : histories(seed, 40)) {
                Random random = new Random(seed * 31 + 7);
                List<Document> all = new ArrayList<>();
                h.deltas.forEach(all::addAll);
                Document expected = h.fullJoin();

                // Two receivers: each gets every delta in its own random order, some twice, some
                // lost
                // then resent.
                for (int receiverNo = 0; receiverNo < 2; receiverNo++) {
                  List<Document> wire = new ArrayList<>();
                  List<Document> lost = new ArrayList<>();
                  for (Document delta : all) {
                    int fate = random.nextInt(6);
                    if (fate == 0) {
                      lost.add(delta);
                    } else {
                      wire.add(delta);
                      if (fate == 1) {
                        wire.add(delta);
                      }
                    }
                  }
                  Collections.shuffle(wire, random);
                  Collections.shuffle(lost, random);
                  Document receiver = new Document();
                  wire.forEach(receiver::join);
                  lost.forEach(receiver::join);
                  assertThat(receiver).isEqualTo(expected);
                }
              }
            });
  }

  @Test
  void allReplicasConverge_afterExchangingEverything() {
    qt().withExamples(EXAMPLES)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              for (RandomHistory h : histories(seed, 40)) {
                Document expected = h.fullJoin();
                for (int i = 0; i < h.states.size(); i++) {
                  Document replica = h.state(i);
                  for (int j = 0; j < h.states.size(); j++) {
                    h.deltas.get(j).forEach(replica::join);
                  }
                  assertThat(replica).isEqualTo(expected);
                }
              }
            });
  }

  @Test
  void deltaGroup_equalsApplyingItsMembersOneByOne_evenAcrossTypeChanges() {
    qt().withExamples(EXAMPLES)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              for (RandomHistory h : histories(seed, 40)) {
                Document target = h.state(h.states.size() - 1);
                Document oneByOne = target.copy();
                Document group = new Document();
                for (Document delta : h.deltas.get(0)) {
                  oneByOne.join(delta);
                  group.join(delta);
                }
                Document grouped = target.copy();
                grouped.join(group);
                assertThat(grouped).as("seed " + seed).isEqualTo(oneByOne);
              }
            });
  }

  @Test
  void nameWrittenAsTwoTypesConcurrently_holdsBoth_andRemoveClearsEveryType() {
    Document a = new Document();
    Document b = new Document();
    Document reg =
        a.writeRegister("a", List.of("x"), JsonNodeFactory.instance.textNode("v"), new Hlc(1, 0));
    Document ctr = b.addToCounter("b", List.of("x"), 3);
    a.join(ctr);
    b.join(reg);
    assertThat(a).isEqualTo(b);
    assertThat(a.get(List.of("x"), CounterValue.class)).map(CounterValue::value).contains(3L);
    assertThat(a.get(List.of("x"), RegisterValue.class)).flatMap(RegisterValue::value).isPresent();
    assertThat(a.typeOverlaps())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.path()).containsExactly("x");
              assertThat(o.values().keySet()).containsExactly("reg", "ctr");
            });
    a.remove(List.of("x"));
    assertThat(a.typeOverlaps()).isEmpty();
    assertThat(a.get(List.of("x"))).isEmpty();
  }
}
