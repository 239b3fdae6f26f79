package dev.converge.core.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The replica-id check, against the regular expression that defines it. */
class ReplicaIdsTest {

  private static final Pattern DEFINITION = Pattern.compile("[A-Za-z0-9._:\\-]{1,64}");

  @Test
  void agreesWithTheDefinition_onArbitraryText() {
    qt().withExamples(5_000)
        .forAll(strings().betweenCodePoints(0x20, 0x7f).ofLengthBetween(0, 70))
        .check(id -> ReplicaIds.isValid(id) == DEFINITION.matcher(id).matches());
    qt().withExamples(2_000)
        .forAll(strings().allPossible().ofLengthBetween(0, 8))
        .check(id -> ReplicaIds.isValid(id) == DEFINITION.matcher(id).matches());
  }

  @Test
  void boundsAndEdges() {
    assertThat(ReplicaIds.isValid(null)).isFalse();
    assertThat(ReplicaIds.isValid("")).isFalse();
    assertThat(ReplicaIds.isValid("a".repeat(64))).isTrue();
    assertThat(ReplicaIds.isValid("a".repeat(65))).isFalse();
    assertThat(ReplicaIds.isValid("Az09._:-")).isTrue();
    assertThat(ReplicaIds.isValid("a b")).isFalse();
    assertThat(ReplicaIds.isValid("a/b")).isFalse();
    assertThat(ReplicaIds.isValid("é")).isFalse();
    assertThat(ReplicaIds.isValid(ReplicaIds.random())).isTrue();
  }
}
