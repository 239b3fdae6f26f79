package dev.converge.server.changeset;

import dev.converge.core.protocol.CodecLimits;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.server.CompactionRules;
import dev.converge.core.server.DecodedStates;
import dev.converge.core.server.FieldType;
import dev.converge.core.server.PushRules;
import dev.converge.core.server.WriteCheck;
import dev.converge.core.server.WritePolicy;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The sync-core objects this server runs, configured from {@code application.properties}: the one
 * wire codec, the push rules (the I/O-free server core) with the trust-boundary bounds, and the
 * counter-compaction rules with their bound per pass.
 */
@ApplicationScoped
public class CoreConfiguration {

  @Produces
  @Singleton
  ProtocolCodec codec(
      @ConfigProperty(name = "converge.codec.max-depth", defaultValue = "32") int maxDepth,
      @ConfigProperty(name = "converge.codec.max-entries", defaultValue = "100000") int maxEntries,
      @ConfigProperty(name = "converge.codec.max-string-length", defaultValue = "65536")
          int maxStringLength,
      @ConfigProperty(name = "converge.codec.max-message-chars", defaultValue = "4194304")
          int maxChars) {
    return new ProtocolCodec(new CodecLimits(maxDepth, maxEntries, maxStringLength, maxChars));
  }

  @Produces
  @Singleton
  PushRules pushRules(
      ProtocolCodec codec,
      @ConfigProperty(name = "converge.push.max-changesets", defaultValue = "500")
          int maxChangesets,
      @ConfigProperty(name = "converge.push.max-increment", defaultValue = "2147483648")
          long maxIncrement,
      @ConfigProperty(name = "converge.clock.max-offset", defaultValue = "PT24H")
          Duration maxOffset,
      @ConfigProperty(name = "converge.push.decoded-states-chars", defaultValue = "4000000")
          long decodedStatesChars,
      WriteRulesSettings writeRules,
      LimitSettings limits,
      Instance<WriteRule> hooks,
      MeterRegistry registry) {
    DecodedStates decoded = new DecodedStates(decodedStatesChars);
    FunctionCounter.builder("converge.push.decoded.states.reads", decoded, DecodedStates::hits)
        .tag("found", "kept")
        .description("Stored states a push read, found decoded in memory or parsed")
        .register(registry);
    FunctionCounter.builder("converge.push.decoded.states.reads", decoded, DecodedStates::misses)
        .tag("found", "parsed")
        .description("Stored states a push read, found decoded in memory or parsed")
        .register(registry);
    Gauge.builder("converge.push.decoded.states.chars", decoded, DecodedStates::chars)
        .description("Length of the stored texts whose decoded documents are kept")
        .register(registry);
    return new PushRules(
        codec,
        maxChangesets,
        maxIncrement,
        maxOffset,
        System::currentTimeMillis,
        writePolicy(writeRules, limits, hooks.stream().toList()),
        decoded);
  }

  /**
   * Builds the write policy from the configuration, failing the start on a type expression that
   * does not parse (naming the setting), rather than refusing writes later.
   */
  static WritePolicy writePolicy(
      WriteRulesSettings settings, LimitSettings limits, List<? extends WriteCheck> hooks) {
    Map<String, WritePolicy.CollectionRule> rules = new TreeMap<>();
    long defaultMax = bound(settings.maxDocumentBytes());
    settings
        .collections()
        .forEach(
            (collection, rule) -> {
              FieldType fields = null;
              if (!rule.fields().isEmpty()) {
                Map<String, FieldType> named = new TreeMap<>();
                FieldType others = null;
                for (Map.Entry<String, String> f : rule.fields().entrySet()) {
                  FieldType type;
                  try {
                    type = FieldType.parse(f.getValue());
                  } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                        "converge.rules.collections."
                            + collection
                            + ".fields."
                            + f.getKey()
                            + ": "
                            + e.getMessage(),
                        e);
                  }
                  if (f.getKey().equals("*")) {
                    others = type;
                  } else {
                    named.put(f.getKey(), type);
                  }
                }
                fields = FieldType.record(named, others);
              }
              long max =
                  rule.maxDocumentBytes().isPresent()
                      ? bound(rule.maxDocumentBytes().getAsLong())
                      : defaultMax;
              rules.put(collection, new WritePolicy.CollectionRule(fields, max));
            });
    List<WriteCheck> checks = List.copyOf(hooks);
    WriteCheck hook =
        checks.isEmpty()
            ? WriteCheck.NONE
            : (subject, changeset, current) -> {
              for (WriteCheck check : checks) {
                Optional<String> refused = check.check(subject, changeset, current);
                if (refused.isPresent()) {
                  return refused;
                }
              }
              return Optional.empty();
            };
    return new WritePolicy(rules, defaultMax, bound(limits.maxSpaceBytes()), hook);
  }

  /** 0 in the configuration means no bound. */
  private static long bound(long configured) {
    if (configured < 0) {
      throw new IllegalArgumentException("a size bound must be >= 0 (0: none): " + configured);
    }
    return configured == 0 ? WritePolicy.UNLIMITED : configured;
  }

  @Produces
  @Singleton
  CompactionRules compactionRules(
      ProtocolCodec codec,
      @ConfigProperty(
              name = "converge.counter-compaction.max-entries-per-document",
              defaultValue = "10000")
          int maxEntries) {
    return new CompactionRules(codec, maxEntries);
  }
}
