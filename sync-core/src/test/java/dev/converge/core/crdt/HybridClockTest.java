package dev.converge.core.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HybridClockTest {

  private final AtomicLong wall = new AtomicLong(1_000);
  private final HybridClock clock = new HybridClock(wall::get, Hlc.ZERO);

  @Test
  void followsTheWallClockWhenItMovesForward() {
    assertThat(clock.now()).isEqualTo(new Hlc(1_000, 0));
    wall.set(2_000);
    assertThat(clock.now()).isEqualTo(new Hlc(2_000, 0));
  }

  @Test
  void neverGoesBackwards_whenTheWallClockDoes() {
    Hlc first = clock.now();
    wall.set(500);
    Hlc second = clock.now();
    assertThat(second).isGreaterThan(first);
    assertThat(second).isEqualTo(new Hlc(1_000, 1));
  }

  @Test
  void observingARemoteTimestampAhead_movesLocalTimestampsPastIt() {
    clock.now();
    clock.observe(new Hlc(5_000, 7));
    assertThat(clock.now()).isEqualTo(new Hlc(5_000, 9));
  }

  @Test
  void textFormRoundTrips_andBadTextIsRejected() {
    assertThat(Hlc.parse(new Hlc(1764065400000L, 3).toString()))
        .isEqualTo(new Hlc(1764065400000L, 3));
    assertThatThrownBy(() -> Hlc.parse("12")).hasMessageContaining("'<millis>:<logical>'");
    assertThatThrownBy(() -> Hlc.parse("-1:0")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> Hlc.parse("1:x")).hasMessageContaining("'<millis>:<logical>'");
  }

  @Test
  void documentReportsTheGreatestRegisterTimestamp_forClocksToObserve() {
    Document doc = new Document();
    doc.writeRegister(
        "a",
        java.util.List.of("x"),
        com.fasterxml.jackson.databind.node.TextNode.valueOf("1"),
        new Hlc(50, 2));
    doc.writeRegister(
        "a",
        java.util.List.of("m", "y"),
        com.fasterxml.jackson.databind.node.TextNode.valueOf("2"),
        new Hlc(70, 0));
    doc.addToCounter("a", java.util.List.of("c"), 3);
    assertThat(doc.maxHlc()).isEqualTo(new Hlc(70, 0));
    assertThat(new Document().maxHlc()).isEqualTo(Hlc.ZERO);
  }
}
