package dev.converge.server.changeset;

import dev.converge.core.protocol.CodecLimits;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.server.CompactionRules;
import dev.converge.core.server.PushRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
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
          Duration maxOffset) {
    return new PushRules(codec, maxChangesets, maxIncrement, maxOffset, System::currentTimeMillis);
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
