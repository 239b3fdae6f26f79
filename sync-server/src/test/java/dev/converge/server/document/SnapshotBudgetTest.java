package dev.converge.server.document;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The page byte budget: documents in order while they fit, an oversized one alone. */
class SnapshotBudgetTest {

  @Test
  void documentsFitWhileTheirSumStaysWithinTheBudget() {
    assertThat(SnapshotBudget.fit(List.of(40L, 40L, 40L), 100)).isEqualTo(2);
    assertThat(SnapshotBudget.fit(List.of(50L, 50L, 1L), 100)).isEqualTo(2);
    assertThat(SnapshotBudget.fit(List.of(10L, 20L), 100)).isEqualTo(2);
    assertThat(SnapshotBudget.fit(List.of(), 100)).isZero();
  }

  @Test
  void documentBiggerThanTheBudget_goesAloneOnItsPage() {
    assertThat(SnapshotBudget.fit(List.of(500L, 10L), 100)).isEqualTo(1);
    assertThat(SnapshotBudget.fit(List.of(10L, 500L), 100)).isEqualTo(1);
  }

  @Test
  void entryBytes_isTheEntrysExactLengthInThePage() {
    String state =
        "{\"s\":{\"name\":{\"t\":\"reg\",\"e\":[[\"r\",1,\"1:0\",\"Zoë 😀\"]]}},\"c\":{\"r\":[1]}}";
    String entry = "{\"collection\":\"pro\\\"files\",\"docId\":\"me\",\"state\":" + state + "},";
    assertThat(SnapshotBudget.entryBytes("pro\"files", "me", SnapshotBudget.utf8Length(state)))
        .isEqualTo(entry.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void utf8Length_countsLikeTheEncoder() {
    for (String text : List.of("", "abc", "é", "€", "😀", "Zoë 😀 €")) {
      assertThat(SnapshotBudget.utf8Length(text))
          .as(text)
          .isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }
    // A lone surrogate is counted as three bytes: never less than any encoder writes for it.
    assertThat(SnapshotBudget.utf8Length("a\uD800b")).isEqualTo(5);
  }
}
