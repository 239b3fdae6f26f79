package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.server.changeset.LoggedChange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared log window stays within its row and character bounds, and stays contiguous. */
class SpaceLogWindowTest {

  private static List<LoggedChange> changes(long after, int count, int deltaChars) {
    List<LoggedChange> rows = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      rows.add(
          new LoggedChange(
              after + i, "carts", "d", "r", after + i, "x".repeat(deltaChars), 1_000L));
    }
    return rows;
  }

  @Test
  void largeChanges_areDroppedOldestFirst_atTheCharacterBound() {
    SpaceLogCache.Window window = new SpaceLogCache.Window(2_000, 10_000);
    window.append(0, changes(0, 30, 1_000), 0);

    assertThat(window.chars()).isEqualTo(10_000);
    assertThat(window.first()).isEqualTo(21);
    assertThat(window.last()).isEqualTo(30);
    assertThat(window.slice(20, 100)).extracting(LoggedChange::serverSeq).startsWith(21L);
    assertThat(window.covers(19)).isFalse();
  }

  @Test
  void manySmallChanges_areDroppedAtTheRowBound() {
    SpaceLogCache.Window window = new SpaceLogCache.Window(100, 1_000_000);
    window.append(0, changes(0, 80, 10), 0);
    window.append(80, changes(80, 80, 10), 0);

    assertThat(window.rows).hasSize(100);
    assertThat(window.first()).isEqualTo(61);
    assertThat(window.last()).isEqualTo(160);
    assertThat(window.chars()).isEqualTo(1_000);
  }

  @Test
  void aChangeLargerThanTheWholeBudget_isNotKept_andTheWindowMovesPastIt() {
    SpaceLogCache.Window window = new SpaceLogCache.Window(2_000, 5_000);
    window.append(0, changes(0, 2, 100), 0);
    window.append(2, changes(2, 1, 6_000), 0);

    assertThat(window.rows).isEmpty();
    assertThat(window.chars()).isZero();
    assertThat(window.last()).isEqualTo(3);
    assertThat(window.covers(2)).isFalse();

    window.append(3, changes(3, 2, 100), 0);
    assertThat(window.first()).isEqualTo(4);
    assertThat(window.last()).isEqualTo(5);
    assertThat(window.chars()).isEqualTo(200);
  }
}
