package dev.converge.core.server;

import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.trust.Violation;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a space accepts beyond the trust boundary: per collection, the field types of its documents
 * and their largest encoded size; per space, the most bytes its stored documents may take; and a
 * deployment's own {@link WriteCheck}. Pure: {@link PushRules#decide} applies it to every new
 * changeset, and the simulation can run the same rules.
 *
 * <p>A collection without a rule accepts any field; its documents are bounded by the default size.
 * Immutable and thread-safe.
 */
public final class WritePolicy {

  /** No limit: what a size or quota of 0 in the configuration means. */
  public static final long UNLIMITED = Long.MAX_VALUE;

  private final Map<String, CollectionRule> collections;
  private final long defaultMaxDocumentBytes;
  private final long maxSpaceBytes;
  private final WriteCheck hook;

  /**
   * A collection's rule.
   *
   * @param fields the type of its documents' root map, or null to accept any field
   * @param maxDocumentBytes the largest encoded (UTF-8) size of one document
   */
  public record CollectionRule(FieldType fields, long maxDocumentBytes) {
    /** Checks the bound. */
    public CollectionRule {
      if (maxDocumentBytes < 1) {
        throw new IllegalArgumentException("maxDocumentBytes < 1: " + maxDocumentBytes);
      }
    }
  }

  /**
   * Creates a policy.
   *
   * @param collections the rule of each collection that has one
   * @param defaultMaxDocumentBytes the largest document of a collection without a rule
   * @param maxSpaceBytes the most bytes a space's stored documents may take together
   * @param hook the deployment's own check, run after the built-in ones
   */
  public WritePolicy(
      Map<String, CollectionRule> collections,
      long defaultMaxDocumentBytes,
      long maxSpaceBytes,
      WriteCheck hook) {
    if (defaultMaxDocumentBytes < 1 || maxSpaceBytes < 1) {
      throw new IllegalArgumentException(
          "sizes must be >= 1: " + defaultMaxDocumentBytes + ", " + maxSpaceBytes);
    }
    this.collections = Map.copyOf(new TreeMap<>(collections));
    this.defaultMaxDocumentBytes = defaultMaxDocumentBytes;
    this.maxSpaceBytes = maxSpaceBytes;
    this.hook = Objects.requireNonNull(hook, "hook");
  }

  /** A policy that accepts every field type, at any size, with no hook. */
  public static WritePolicy none() {
    return new WritePolicy(Map.of(), UNLIMITED, UNLIMITED, WriteCheck.NONE);
  }

  /** Returns the same policy with {@code hook} as the deployment's check. */
  public WritePolicy withHook(WriteCheck hook) {
    return new WritePolicy(collections, defaultMaxDocumentBytes, maxSpaceBytes, hook);
  }

  /** Returns the rule of each collection that has one. */
  public Map<String, CollectionRule> collections() {
    return collections;
  }

  /**
   * Checks the field types a changeset writes. Only the delta's store is checked: a remove (a
   * context without store) writes no type.
   */
  public Optional<Violation> checkTypes(Changeset changeset) {
    CollectionRule rule = collections.get(changeset.collection());
    if (rule == null || rule.fields() == null) {
      return Optional.empty();
    }
    return rule.fields()
        .checkMap(changeset.delta().root(), "")
        .map(
            why ->
                new Violation(
                    ErrorCode.WRITE_REFUSED,
                    "collection '" + changeset.collection() + "': " + why));
  }

  /** Returns the largest encoded size of a document of {@code collection}. */
  public long maxDocumentBytes(String collection) {
    CollectionRule rule = collections.get(collection);
    return rule == null ? defaultMaxDocumentBytes : rule.maxDocumentBytes();
  }

  /** Returns the most bytes a space's stored documents may take together. */
  public long maxSpaceBytes() {
    return maxSpaceBytes;
  }

  /** Returns the deployment's check. */
  public WriteCheck hook() {
    return hook;
  }
}
