package dev.converge.server.sync;

import dev.converge.core.protocol.CodecLimits;
import dev.converge.core.protocol.ProtocolCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The one wire codec of the server, with limits from configuration. */
@ApplicationScoped
public class CodecProducer {

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
}
