package dev.converge.sdk.internal.engine;

import dev.converge.sdk.TokenSupplier;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a {@link SyncEngine}; validated by the public builder.
 *
 * @param serverUri the WebSocket endpoint, or null to stay local-only
 * @param tokens the token supplier
 * @param spaces the spaces to subscribe to
 * @param batchSize the most changesets per push
 * @param minBackoff the first reconnect delay
 * @param maxBackoff the greatest reconnect delay
 * @param digestInterval the time between two digest exchanges
 * @param clock time for status and token refresh
 * @param replicaName a label for logs and thread names
 */
public record EngineConfig(
    URI serverUri,
    TokenSupplier tokens,
    List<String> spaces,
    int batchSize,
    Duration minBackoff,
    Duration maxBackoff,
    Duration digestInterval,
    Clock clock,
    String replicaName) {
  /** Creates a config; the list is copied. */
  public EngineConfig {
    spaces = List.copyOf(spaces);
  }
}
