package dev.converge.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A far-future timestamp (a broken or hostile clock) under the bounded clock: it may win a tie
 * against a concurrent write, but a write made after seeing it always wins, whatever the clocks
 * say.
 */
class FarFutureStampTest {

  private static final long NOW = 1_764_600_000_000L;
  private static final long YEAR_9999 = 253_402_300_799_000L;

  private final Document broken = new Document();
  private final Document laptop = new Document();
  private final HybridClock laptopClock =
      new HybridClock(() -> NOW, Duration.ofHours(24), Hlc.ZERO);

  @Test
  void farFutureStamp_winsTheConcurrentTie() {
    Document fromBroken =
        Profile.of(broken)
            .set("broken", "name", TextNode.valueOf("from 9999"), new Hlc(YEAR_9999, 0));
    Document fromLaptop =
        Profile.of(laptop).set("laptop", "name", TextNode.valueOf("now"), laptopClock.now());
    laptop.join(fromBroken);
    broken.join(fromLaptop);

    assertThat(Profile.of(laptop).get("name")).contains(TextNode.valueOf("from 9999"));
    assertThat(Profile.of(laptop).conflicts())
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.losers())
                    .singleElement()
                    .satisfies(l -> assertThat(l.value()).isEqualTo(TextNode.valueOf("now"))));
    assertThat(broken).isEqualTo(laptop);
  }

  @Test
  void aWriteMadeAfterSeeingTheFarFutureStamp_winsThoughItsStampIsSmaller() {
    Document fromBroken =
        Profile.of(broken).set("broken", "name", TextNode.valueOf("from 9999"), Hlc.MAX);
    laptop.join(fromBroken);
    laptopClock.observe(laptop.maxHlc());
    Hlc later = laptopClock.now();
    assertThat(later).isLessThan(Hlc.MAX);
    assertThat(later.millis()).isLessThanOrEqualTo(NOW + Duration.ofHours(24).toMillis());

    Document overwrite =
        Profile.of(laptop).set("laptop", "name", TextNode.valueOf("seen, then changed"), later);
    broken.join(overwrite);

    assertThat(Profile.of(broken).get("name")).contains(TextNode.valueOf("seen, then changed"));
    assertThat(Profile.of(broken).conflicts()).isEmpty();
    assertThat(broken).isEqualTo(laptop);
  }
}
