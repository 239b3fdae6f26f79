package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public API takes and hands out plain Java values, never Jackson types: what goes in comes
 * back (through the real SQLite file), and what JSON cannot hold is refused with nothing written.
 */
class PlainValuesTest {

  static final String ALICE = "user:alice";

  @TempDir Path dir;

  @Test
  void everyPlainValue_roundTripsThroughTheStore_asUnmodifiableValues() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("n", 7);
    nested.put("none", null);
    nested.put("list", Arrays.asList("a", 2L, 1.5, true, null));
    try (SyncClient client = open("round.db")) {
      Profile p = client.profile(ALICE, "me");
      p.set("s", "text");
      p.set("i", 42);
      p.set("l", Long.MAX_VALUE);
      p.set("d", 2.5);
      p.set("f", 0.5f);
      p.set("whole", 3.0);
      p.set("b", false);
      p.set("m", nested);

      assertThat(p.get("s")).contains("text");
      assertThat(p.getString("s")).contains("text");
      assertThat(p.get("i")).contains(42L);
      assertThat(p.getLong("l")).hasValue(Long.MAX_VALUE);
      assertThat(p.get("d")).contains(2.5);
      assertThat(p.get("f")).contains(0.5);
      assertThat(p.get("whole")).contains(3.0);
      assertThat(p.getLong("whole")).isEmpty();
      assertThat(p.getString("i")).isEmpty();
      assertThat(p.get("b")).contains(false);
      Map<String, Object> expected = new LinkedHashMap<>();
      expected.put("n", 7L);
      expected.put("none", null);
      expected.put("list", Arrays.asList("a", 2L, 1.5, true, null));
      assertThat(p.get("m")).contains(expected);
      assertThat(p.fields()).containsOnlyKeys("b", "d", "f", "i", "l", "m", "s", "whole");

      @SuppressWarnings("unchecked")
      Map<String, Object> read = (Map<String, Object>) p.get("m").orElseThrow();
      assertThatThrownBy(() -> read.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> ((List<?>) read.get("list")).clear())
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> p.fields().put("x", 1))
          .isInstanceOf(UnsupportedOperationException.class);
    }
    try (SyncClient reopened = open("round.db")) {
      assertThat(reopened.readFields(new DocumentKey(ALICE, SyncClient.PROFILES, "me")))
          .hasValueSatisfying(f -> assertThat(f).containsEntry("i", 42L).containsEntry("b", false));
      assertThat(reopened.readFields(new DocumentKey(ALICE, SyncClient.PROFILES, "other")))
          .isEmpty();
    }
  }

  @Test
  void aWrittenListOrMap_isCopied_soLaterChangesDoNotShow() {
    try (SyncClient client = open("copy.db")) {
      List<Object> tags = new ArrayList<>(List.of("a"));
      Profile p = client.profile(ALICE, "me");
      p.set("tags", tags);
      tags.add("b");
      assertThat(p.get("tags")).contains(List.of("a"));
    }
  }

  @Test
  void documentHandle_mapsAndRegistersTakePlainValues() {
    Schema schema =
        Schema.builder()
            .field("title", FieldPolicy.REGISTER_MULTI_VALUE)
            .field("meta", FieldPolicy.MAP)
            .build();
    try (SyncClient client = open("doc.db")) {
      DocumentHandle doc = client.document(ALICE, "notes", "n1", schema);
      doc.set("title", Map.of("text", "Hi", "size", 3));
      doc.put("meta", "pages", List.of(1, 2));
      assertThat(doc.get("title")).contains(Map.of("text", "Hi", "size", 3L));
      assertThat(doc.values("title"))
          .singleElement()
          .satisfies(v -> assertThat(v.value()).isEqualTo(Map.of("text", "Hi", "size", 3L)));
      assertThat(doc.map("meta")).containsExactly(Map.entry("pages", List.of(1L, 2L)));
      assertThat(doc.fields()).containsOnlyKeys("meta", "title");
      assertThatThrownBy(() -> doc.put("meta", "bad", Double.NaN))
          .isInstanceOf(SyncException.class)
          .hasMessageContaining("NaN");
      assertThat(doc.map("meta")).containsOnlyKeys("pages");
    }
  }

  @Test
  void valuesJsonCannotHold_areRefused_andNothingIsWritten() {
    try (SyncClient client = open("bad.db")) {
      Profile p = client.profile(ALICE, "me");
      Map<Object, Object> intKey = new HashMap<>();
      intKey.put(1, "x");
      Map<String, Object> cycle = new HashMap<>();
      cycle.put("self", cycle);
      List<Object> bad =
          Arrays.asList(
              null,
              Double.POSITIVE_INFINITY,
              Float.NaN,
              new java.math.BigDecimal("1.5"),
              new Object(),
              List.of(Double.NEGATIVE_INFINITY),
              intKey,
              cycle);
      for (Object value : bad) {
        assertThatThrownBy(() -> p.set("f", value))
            .as("%s", value == cycle ? "a map holding itself" : value)
            .isInstanceOfSatisfying(
                SyncException.class,
                e -> assertThat(e.code()).isEqualTo(SyncException.Code.INVALID_ARGUMENT));
      }
      assertThat(p.fields()).isEmpty();
      assertThat(client.status().pendingChanges()).isZero();
    }
  }

  @Test
  void nesting_isAllowedUpToTheBound_andRefusedOneBeyond() {
    try (SyncClient client = open("deep.db")) {
      Profile p = client.profile(ALICE, "me");
      p.set("deep", nest(PlainValues.MAX_DEPTH));
      assertThat(p.get("deep")).contains(nest(PlainValues.MAX_DEPTH));
      assertThatThrownBy(() -> p.set("deeper", nest(PlainValues.MAX_DEPTH + 1)))
          .isInstanceOf(SyncException.class)
          .hasMessageContaining("deeper than " + PlainValues.MAX_DEPTH);
      assertThat(p.fields()).containsOnlyKeys("deep");
    }
  }

  @Test
  void fieldValue_copiesAndChecksItsValue() {
    List<Object> list = new ArrayList<>(List.of(1));
    FieldValue value = new FieldValue(list, "r", "1:0");
    list.add(2);
    assertThat(value.value()).isEqualTo(List.of(1L));
    assertThat(new FieldValue(null, "r", "1:0").value()).isNull();
    assertThatThrownBy(() -> new FieldValue(new Object(), "r", "1:0"))
        .isInstanceOf(SyncException.class);
  }

  /** {@code depth} lists inside each other around a string. */
  private static Object nest(int depth) {
    Object value = "core";
    for (int i = 0; i < depth; i++) {
      value = List.of(value);
    }
    return value;
  }

  private SyncClient open(String file) {
    return SyncClient.builder().databasePath(dir.resolve(file)).build();
  }
}
