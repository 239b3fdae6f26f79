package dev.converge.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.converge.core.crdt.Conflict;
import dev.converge.core.crdt.Versioned;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
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

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final SyncClient client;
  private final DocumentKey key;

  Profile(SyncClient client, DocumentKey key) {
    this.client = client;
    this.key = key;
  }

  /** Returns the key of the profile's document. */
  public DocumentKey key() {
    return key;
  }

  /**
   * Sets {@code field} to a JSON value, superseding every value of it this replica has seen.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the field is blank or the value null
   */
  public void set(String field, JsonNode value) {
    requireField(field);
    SyncClient.requireNonNull(value, "value");
    JsonNode copy = value.deepCopy();
    client.write(
        key,
        (doc, replica, hlc) ->
            dev.converge.core.policy.Profile.of(doc).set(replica, field, copy, hlc));
  }

  /** Sets {@code field} to a string; see {@link #set(String, JsonNode)}. */
  public void set(String field, String value) {
    SyncClient.requireNonNull(value, "value");
    set(field, NODES.textNode(value));
  }

  /** Returns the last-writer-wins value of {@code field}, if set (a copy). */
  public Optional<JsonNode> get(String field) {
    requireField(field);
    return client.read(
        key, doc -> dev.converge.core.policy.Profile.of(doc).get(field).map(JsonNode::deepCopy));
  }

  /** Returns the text of {@code field} if it is set to a string. */
  public Optional<String> getString(String field) {
    return get(field).filter(JsonNode::isTextual).map(JsonNode::asText);
  }

  /** Returns every field with its last-writer-wins value; an unmodifiable copy. */
  public SortedMap<String, JsonNode> fields() {
    return client.read(
        key,
        doc -> {
          TreeMap<String, JsonNode> copy = new TreeMap<>();
          dev.converge.core.policy.Profile.of(doc)
              .fields()
              .forEach((k, v) -> copy.put(k, v.deepCopy()));
          return java.util.Collections.unmodifiableSortedMap(copy);
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
    return new FieldValue(v.value(), v.dot().replica(), v.hlc().toString());
  }

  /** Listens to committed changes of this profile, on the client's listener thread. */
  public ListenerToken addChangeListener(ChangeListener listener) {
    return client.addDocumentListener(key, listener);
  }

  /** Listens to committed changes of this profile, called on {@code executor}. */
  public ListenerToken addChangeListener(Executor executor, ChangeListener listener) {
    return client.addDocumentListener(key, executor, listener);
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
