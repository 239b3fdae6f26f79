package dev.converge.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.MapValue;
import dev.converge.core.crdt.RegisterValue;
import dev.converge.core.crdt.SetValue;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * A document of an app-defined collection, whose fields merge by the {@link FieldPolicy} its {@link
 * Schema} declares. Operations that do not fit a field's policy, or name a field the schema does
 * not declare, throw {@link SyncException} with {@code INVALID_ARGUMENT}. Obtained from {@link
 * SyncClient#document}.
 *
 * <p>A lightweight handle over the local database: writes commit at once and sync in the
 * background; reads return copies. Thread-safe.
 */
public final class DocumentHandle {

  private final ClientCore client;
  private final DocumentKey key;
  private final Schema schema;

  DocumentHandle(ClientCore client, DocumentKey key, Schema schema) {
    this.client = client;
    this.key = key;
    this.schema = schema;
  }

  /** Returns the document's key. */
  public DocumentKey key() {
    return key;
  }

  /** Returns the document's schema. */
  public Schema schema() {
    return schema;
  }

  // ---- registers ----------------------------------------------------------------------------

  /**
   * Writes a register field ({@code REGISTER_LWW} or {@code REGISTER_MULTI_VALUE}); the value
   * supersedes every value of it this replica has seen. The value is a plain Java value, as {@link
   * Profile#set(String, Object)} takes.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} (nothing written) if the value is null or
   *     not a plain value
   */
  public void set(String field, Object value) {
    requirePolicy(field, FieldPolicy.REGISTER_LWW, FieldPolicy.REGISTER_MULTI_VALUE);
    JsonNode copy = PlainValues.toJson(value, "value");
    client.write(key, (doc, replica, hlc) -> doc.writeRegister(replica, List.of(field), copy, hlc));
  }

  /**
   * Returns a register field's value: the last writer's for {@code REGISTER_LWW}; for {@code
   * REGISTER_MULTI_VALUE} also the last writer's, with every concurrent value in {@link #values}. A
   * plain, unmodifiable value (see {@link FieldValue#value()}); empty if unset or JSON null.
   */
  public Optional<Object> get(String field) {
    requirePolicy(field, FieldPolicy.REGISTER_LWW, FieldPolicy.REGISTER_MULTI_VALUE);
    return client.read(
        key,
        doc ->
            doc.get(List.of(field), RegisterValue.class)
                .flatMap(RegisterValue::value)
                .map(PlainValues::of));
  }

  /**
   * Returns every concurrent value of a register field, last-writer-wins winner first (one value
   * when there is no conflict, none when unset). Resolve a conflict by {@link #set} of one value.
   */
  public List<FieldValue> values(String field) {
    requirePolicy(field, FieldPolicy.REGISTER_LWW, FieldPolicy.REGISTER_MULTI_VALUE);
    return client.read(
        key,
        doc ->
            doc.get(List.of(field), RegisterValue.class)
                .map(
                    r ->
                        r.values().stream()
                            .map(Profile::toFieldValue)
                            .collect(
                                Collectors.collectingAndThen(
                                    Collectors.toList(), Collections::unmodifiableList)))
                .orElse(List.of()));
  }

  // ---- counters ------------------------------------------------------------------------------

  /**
   * Adds {@code amount} (negative to subtract) to a {@code COUNTER} field.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if {@code amount == 0} or beyond ±(2^53-1)
   */
  public void increment(String field, long amount) {
    requirePolicy(field, FieldPolicy.COUNTER);
    if (amount == 0) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "amount == 0");
    }
    client.write(key, (doc, replica, hlc) -> doc.addToCounter(replica, List.of(field), amount));
  }

  /** Returns a {@code COUNTER} field's value (0 if never incremented). */
  public long counter(String field) {
    requirePolicy(field, FieldPolicy.COUNTER);
    return client.read(
        key,
        doc -> doc.get(List.of(field), CounterValue.class).map(CounterValue::value).orElse(0L));
  }

  // ---- sets ----------------------------------------------------------------------------------

  /** Adds {@code element} to a {@code SET} field. */
  public void addToSet(String field, String element) {
    requirePolicy(field, FieldPolicy.SET);
    ClientCore.requireNonNull(element, "element");
    client.write(key, (doc, replica, hlc) -> doc.addToSet(replica, List.of(field), element));
  }

  /** Removes {@code element} from a {@code SET} field (the adds this replica has seen). */
  public void removeFromSet(String field, String element) {
    requirePolicy(field, FieldPolicy.SET);
    ClientCore.requireNonNull(element, "element");
    client.write(key, (doc, replica, hlc) -> doc.removeFromSet(List.of(field), element));
  }

  /** Returns the elements of a {@code SET} field, sorted; an unmodifiable copy. */
  public SortedSet<String> elements(String field) {
    requirePolicy(field, FieldPolicy.SET);
    return client.read(
        key,
        doc ->
            doc.get(List.of(field), SetValue.class)
                .map(SetValue::elements)
                .orElse(Collections.emptySortedSet()));
  }

  // ---- maps ----------------------------------------------------------------------------------

  /**
   * Puts {@code mapKey -> value} into a {@code MAP} field (a last-writer-wins value per key); the
   * value is a plain Java value, as {@link Profile#set(String, Object)} takes.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} (nothing written) if the value is null or
   *     not a plain value, or the map key null or empty
   */
  public void put(String field, String mapKey, Object value) {
    requirePolicy(field, FieldPolicy.MAP);
    requireMapKey(mapKey);
    JsonNode copy = PlainValues.toJson(value, "value");
    client.write(
        key, (doc, replica, hlc) -> doc.writeRegister(replica, List.of(field, mapKey), copy, hlc));
  }

  /** Removes {@code mapKey} from a {@code MAP} field; a concurrent put elsewhere survives. */
  public void removeKey(String field, String mapKey) {
    requirePolicy(field, FieldPolicy.MAP);
    requireMapKey(mapKey);
    client.write(key, (doc, replica, hlc) -> doc.remove(List.of(field, mapKey)));
  }

  /**
   * Returns a {@code MAP} field's entries with their last-writer-wins values as plain values (null
   * for JSON null); an unmodifiable copy.
   */
  public SortedMap<String, Object> map(String field) {
    requirePolicy(field, FieldPolicy.MAP);
    return client.read(
        key,
        doc -> {
          TreeMap<String, Object> result = new TreeMap<>();
          doc.get(List.of(field), MapValue.class)
              .ifPresent(
                  map ->
                      map.entries()
                          .forEach(
                              (k, v) -> {
                                if (v instanceof RegisterValue register) {
                                  register
                                      .value()
                                      .ifPresent(value -> result.put(k, PlainValues.of(value)));
                                }
                              }));
          return Collections.unmodifiableSortedMap(result);
        });
  }

  // ---- whole document ------------------------------------------------------------------------

  /** Clears a field of any policy: resets everything this replica has seen of it. */
  public void clear(String field) {
    requireDeclared(field);
    client.write(key, (doc, replica, hlc) -> doc.remove(List.of(field)));
  }

  /**
   * Returns the document's top-level fields as plain values (registers as their winning value,
   * counters as {@link Long}, sets as lists, maps as maps); an unmodifiable copy.
   */
  public Map<String, Object> fields() {
    return client.read(key, doc -> PlainValues.fields(doc.toJson()));
  }

  /**
   * Returns the register fields (and map entries) holding concurrent values, with their origins.
   */
  public List<FieldConflict> conflicts() {
    return client.read(
        key,
        doc ->
            doc.conflicts().stream()
                .map(Profile::toFieldConflict)
                .collect(
                    Collectors.collectingAndThen(
                        Collectors.toList(), Collections::unmodifiableList)));
  }

  /** Listens to committed changes of this document, on the client's listener thread. */
  public ListenerToken addChangeListener(ChangeListener listener) {
    return client.listeners.document(key, listener);
  }

  /** Listens to committed changes of this document, called on {@code executor}. */
  public ListenerToken addChangeListener(Executor executor, ChangeListener listener) {
    return client.listeners.document(key, executor, listener);
  }

  private FieldPolicy requireDeclared(String field) {
    if (field == null || Text.isBlank(field)) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "field is null or blank");
    }
    return schema
        .policy(field)
        .orElseThrow(
            () ->
                new SyncException(
                    SyncException.Code.INVALID_ARGUMENT,
                    "field '" + field + "' is not declared in the schema of " + key.collection()));
  }

  private void requirePolicy(String field, FieldPolicy... allowed) {
    FieldPolicy policy = requireDeclared(field);
    for (FieldPolicy p : allowed) {
      if (p == policy) {
        return;
      }
    }
    throw new SyncException(
        SyncException.Code.INVALID_ARGUMENT,
        "field '"
            + field
            + "' is "
            + policy
            + ", not "
            + (allowed.length == 1 ? allowed[0] : java.util.Arrays.toString(allowed)));
  }

  private static void requireMapKey(String mapKey) {
    if (mapKey == null || mapKey.isEmpty()) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "mapKey is null or empty");
    }
  }

  @Override
  public String toString() {
    return "DocumentHandle[" + key + ", " + schema + "]";
  }
}
