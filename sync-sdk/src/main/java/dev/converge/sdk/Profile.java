package dev.converge.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.crdt.Conflict;
import dev.converge.core.crdt.Versioned;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * A profile whose fields resolve by last-writer-wins: each field is a register, a write made after
 * seeing another always wins, and among concurrent writes the greatest hybrid timestamp wins. The
 * losing values stay inspectable through {@link #conflicts()} until a later write supersedes them.
 * Obtained from {@link SyncClient#profile}.
 *
 * <p>A lightweight handle over the local database. Thread-safe.
 */
public final class Profile {

  private final ClientCore client;
  private final DocumentKey key;

  Profile(ClientCore client, DocumentKey key) {
    this.client = client;
    this.key = key;
  }

  /** Returns the key of the profile's document. */
  public DocumentKey key() {
    return key;
  }

  /**
   * Sets {@code field} to a value, superseding every value of it this replica has seen. The value
   * is a plain Java value: {@link String}, {@link Long} or {@link Integer}, {@link Double}, {@link
   * Boolean}, or a {@code List} / {@code Map<String, ?>} of those (nested up to 32 levels; null
   * allowed inside). It is copied: later changes to a list or map passed here do not show.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} (nothing written) if the field is blank,
   *     the value null or not a plain value, or a number in it not finite
   */
  public void set(String field, Object value) {
    requireField(field);
    JsonNode json = PlainValues.toJson(value, "value");
    client.write(
        key,
        (doc, replica, hlc) ->
            dev.converge.core.policy.Profile.of(doc).set(replica, field, json, hlc));
  }

  /**
   * Returns the last-writer-wins value of {@code field} as a plain, unmodifiable value (see {@link
   * FieldValue#value()}); empty if unset or set to JSON null.
   */
  public Optional<Object> get(String field) {
    requireField(field);
    return client.read(
        key, doc -> dev.converge.core.policy.Profile.of(doc).get(field).map(PlainValues::of));
  }

  /** Returns the text of {@code field} if it is set to a string. */
  public Optional<String> getString(String field) {
    return get(field).filter(String.class::isInstance).map(String.class::cast);
  }

  /** Returns the value of {@code field} if it is set to an integer. */
  public OptionalLong getLong(String field) {
    Optional<Object> value = get(field);
    return value.isPresent() && value.get() instanceof Long l
        ? OptionalLong.of(l)
        : OptionalLong.empty();
  }

  /**
   * Returns every field with its last-writer-wins value as a plain value (null for JSON null); an
   * unmodifiable copy.
   */
  public SortedMap<String, Object> fields() {
    return client.read(
        key,
        doc -> {
          TreeMap<String, Object> copy = new TreeMap<>();
          dev.converge.core.policy.Profile.of(doc)
              .fields()
              .forEach((k, v) -> copy.put(k, PlainValues.of(v)));
          return Collections.unmodifiableSortedMap(copy);
        });
  }

  /** Returns the fields holding concurrent values, each with its winner and the losers' origins. */
  public List<FieldConflict> conflicts() {
    return client.read(
        key,
        doc ->
            dev.converge.core.policy.Profile.of(doc).conflicts().stream()
                .map(Profile::toFieldConflict)
                .collect(
                    Collectors.collectingAndThen(
                        Collectors.toList(), Collections::unmodifiableList)));
  }

  static FieldConflict toFieldConflict(Conflict conflict) {
    return new FieldConflict(
        String.join("/", conflict.path()),
        toFieldValue(conflict.winner()),
        conflict.losers().stream()
            .map(Profile::toFieldValue)
            .collect(
                Collectors.collectingAndThen(Collectors.toList(), Collections::unmodifiableList)));
  }

  static FieldValue toFieldValue(Versioned v) {
    return new FieldValue(PlainValues.of(v.value()), v.dot().replica(), v.hlc().toString());
  }

  /** Listens to committed changes of this profile, on the client's listener thread. */
  public ListenerToken addChangeListener(ChangeListener listener) {
    return client.listeners.document(key, listener);
  }

  /** Listens to committed changes of this profile, called on {@code executor}. */
  public ListenerToken addChangeListener(Executor executor, ChangeListener listener) {
    return client.listeners.document(key, executor, listener);
  }

  private static void requireField(String field) {
    if (field == null || Text.isBlank(field)) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "field is null or blank");
    }
  }

  @Override
  public String toString() {
    return "Profile[" + key + "]";
  }
}
