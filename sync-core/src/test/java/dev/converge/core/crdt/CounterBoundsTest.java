package dev.converge.core.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Counters are bounded at the write and readable whatever they hold (issue case 5). */
class CounterBoundsTest {

  private static final List<String> VIEWS = List.of("views");

  @Test
  void incrementAtTheBound_isAccepted_andOneBeyondIsRefusedAtTheCall() {
    Document doc = new Document();
    doc.addToCounter("a", VIEWS, CounterValue.MAX_INCREMENT);
    doc.addToCounter("a", VIEWS, -CounterValue.MAX_INCREMENT);
    assertThatThrownBy(() -> doc.addToCounter("a", VIEWS, CounterValue.MAX_INCREMENT + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2^31");
    assertThat(doc.get(VIEWS, CounterValue.class).orElseThrow().value()).isZero();
  }

  @Test
  void sumBeyondJsonExactIntegers_saturates_insteadOfBecomingUnreadable() {
    CounterValue counter = new CounterValue();
    for (int i = 1; i <= 4; i++) {
      counter.put(new Dot("a", i), Dot.MAX_COUNTER);
    }
    assertThat(counter.value()).isEqualTo(CounterValue.MAX_VALUE);
    CounterValue negative = new CounterValue();
    for (int i = 1; i <= 4; i++) {
      negative.put(new Dot("b", i), -Dot.MAX_COUNTER);
    }
    assertThat(negative.value()).isEqualTo(-CounterValue.MAX_VALUE);
  }

  @Test
  void saturatedSum_doesNotDependOnArrivalOrder() {
    Random random = new Random(7);
    List<Long> amounts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      amounts.add(random.nextBoolean() ? Dot.MAX_COUNTER : -Dot.MAX_COUNTER + random.nextInt(1000));
    }
    Long expected = null;
    for (int round = 0; round < 20; round++) {
      Collections.shuffle(amounts, random);
      Document doc = new Document();
      for (int i = 0; i < amounts.size(); i++) {
        CounterValue delta = new CounterValue();
        delta.put(new Dot("r" + i, 1), amounts.get(i));
        MapValue root = new MapValue();
        root.put("views", delta);
        doc.join(new Document(root, CausalContext.of(List.of(new Dot("r" + i, 1)))));
      }
      long value = doc.get(VIEWS, CounterValue.class).orElseThrow().value();
      if (expected == null) {
        expected = value;
      }
      assertThat(value).isEqualTo(expected);
    }
  }
}
