package dev.converge.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.crdt.Conflict;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.RegisterValue;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The profile policy over a {@link Document}: every top-level field is a register read with
 * last-writer-wins. Concurrent writes keep their losers inspectable through {@link #conflicts()}
 * until a write that has seen them supersedes them. Not thread-safe.
 */
public final class Profile {

  private final Document document;

  private Profile(Document document) {
    this.document = document;
  }

  /** Returns the profile view of {@code document}. */
  public static Profile of(Document document) {
    return new Profile(Objects.requireNonNull(document, "document"));
  }

  /**
   * Sets {@code field} to {@code value}, superseding every value of it seen here.
   *
   * @return the delta
   * @throws IllegalArgumentException if the field name is blank
   */
  public Document set(String replica, String field, JsonNode value, Hlc hlc) {
    if (field == null || field.codePoints().allMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("field is blank");
    }
    return document.writeRegister(replica, List.of(field), value, hlc);
  }

  /** Returns the last-writer-wins value of {@code field}, if set. */
  public Optional<JsonNode> get(String field) {
    return document.get(List.of(field), RegisterValue.class).flatMap(RegisterValue::value);
  }

  /** Returns every field with its last-writer-wins value. */
  public SortedMap<String, JsonNode> fields() {
    TreeMap<String, JsonNode> fields = new TreeMap<>();
    document
        .root()
        .typedEntries()
        .forEach(
            (key, value) -> {
              if (value instanceof RegisterValue register) {
                register.value().ifPresent(v -> fields.put(key.name(), v));
              }
            });
    return Collections.unmodifiableSortedMap(fields);
  }

  /** Returns the fields holding concurrent values, each with its winner and losers. */
  public List<Conflict> conflicts() {
    return document.conflicts().stream()
        .filter(c -> c.path().size() == 1)
        .collect(Collectors.collectingAndThen(Collectors.toList(), Collections::unmodifiableList));
  }
}
