package dev.converge.sdk;

import dev.converge.core.crdt.HybridClock;
import java.time.Duration;

/** Every default of {@link SyncClient.Builder}, in one place. */
final class ClientDefaults {
  static final int BATCH_SIZE = 100;
  static final Duration MIN_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  /** Time between two digest exchanges (anti-entropy) of a session. */
  static final Duration DIGEST_INTERVAL = Duration.ofSeconds(30);

  /** The shortest digest interval allowed. */
  static final Duration MIN_DIGEST_INTERVAL = Duration.ofSeconds(1);

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration PING_INTERVAL = Duration.ofSeconds(20);
  static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
  static final boolean DURABLE_COMMITS = false;
  static final Duration MAX_CLOCK_OFFSET = HybridClock.DEFAULT_MAX_OFFSET;

  private ClientDefaults() {}
}
