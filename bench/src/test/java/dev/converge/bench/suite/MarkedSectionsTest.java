package dev.converge.bench.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Only the text between a section's markers changes. */
class MarkedSectionsTest {

  private static final String DOC =
      "# Title\n\nhand-written intro\n"
          + "<!-- suite:begin storm -->\nold storm\ntable\n<!-- suite:end storm -->\n"
          + "analysis in between\n"
          + "<!-- suite:begin push -->\n<!-- suite:end push -->\ntail\n";

  @Test
  void replacesEachSectionAndKeepsTheTextAroundIt() {
    Map<String, String> sections = new LinkedHashMap<>();
    sections.put("storm", "new storm");
    sections.put("push", "| a |\n");
    assertThat(MarkedSections.replace(DOC, sections))
        .isEqualTo(
            "# Title\n\nhand-written intro\n"
                + "<!-- suite:begin storm -->\nnew storm\n<!-- suite:end storm -->\n"
                + "analysis in between\n"
                + "<!-- suite:begin push -->\n| a |\n<!-- suite:end push -->\ntail\n");
  }

  @Test
  void replacingTwiceGivesTheSameDocument() {
    Map<String, String> sections = Map.of("storm", "x\n", "push", "y\n");
    String once = MarkedSections.replace(DOC, sections);
    assertThat(MarkedSections.replace(once, sections)).isEqualTo(once);
  }

  @Test
  void aMissingMarkerIsRefusedByName() {
    assertThatThrownBy(() -> MarkedSections.replace(DOC, Map.of("fanout", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("suite_markers_missing: section fanout");
  }

  @Test
  void repeatedOrReversedMarkersAreRefused() {
    String repeated = DOC + "<!-- suite:begin push -->\n";
    assertThatThrownBy(() -> MarkedSections.replace(repeated, Map.of("push", "x")))
        .hasMessageStartingWith("suite_markers_malformed: section push");
    String reversed = "<!-- suite:end a -->\n<!-- suite:begin a -->\n";
    assertThatThrownBy(() -> MarkedSections.replace(reversed, Map.of("a", "x")))
        .hasMessageStartingWith("suite_markers_malformed: section a");
  }
}
