package dev.converge.sdk.internal.engine;

import dev.converge.core.protocol.Message;
import dev.converge.sdk.TokenSupplier;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a fresh token ({@code auth}) on the open session before the current one expires, so a long
 * session never has to reconnect for its token.
 *
 * <p>Confined to the engine thread (its tasks run on the engine's executor).
 */
final class TokenRefresh {

  private static final Logger LOG = LoggerFactory.getLogger(TokenRefresh.class);

  /** What the refresh needs from its engine. */
  interface Host {
    /** Whether the session the refresh was scheduled for is still the welcomed one. */
    boolean current(int generation);

    /** Sends on the current session. */
    void send(Message message);

    /** The supplier failed; the status should say so. */
    void failed(String code);
  }

  private final ScheduledExecutorService executor;
  private final Clock clock;
  private final TokenSupplier tokens;
  private final Host host;
  private ScheduledFuture<?> task;

  TokenRefresh(ScheduledExecutorService executor, Clock clock, TokenSupplier tokens, Host host) {
    this.executor = executor;
    this.clock = clock;
    this.tokens = tokens;
    this.host = host;
  }

  /**
   * Schedules the refresh of a token expiring at {@code expiresAtMillis}, for session {@code
   * generation}.
   */
  void schedule(int generation, long expiresAtMillis) {
    cancel();
    long lifetime = expiresAtMillis - clock.millis();
    if (lifetime <= 0) {
      LOG.debug("token expiry {} is not in the future; no refresh scheduled", expiresAtMillis);
      return;
    }
    // Refresh at 80% of the remaining lifetime, but at least 60 s before expiry when there is room.
    long delay = (long) (lifetime * 0.8);
    if (lifetime > 60_000) {
      delay = Math.min(delay, lifetime - 60_000);
    }
    task =
        executor.schedule(
            () -> refresh(generation, expiresAtMillis), Math.max(0, delay), TimeUnit.MILLISECONDS);
  }

  /** Cancels a scheduled refresh (the session ended). */
  void cancel() {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  private void refresh(int generation, long expiresAtMillis) {
    if (!host.current(generation)) {
      return;
    }
    try {
      host.send(new Message.Auth(tokens.token()));
    } catch (Exception e) {
      LOG.warn("token refresh failed: {}", e.toString());
      long left = expiresAtMillis - clock.millis();
      if (left > 2_000) {
        task =
            executor.schedule(
                () -> refresh(generation, expiresAtMillis),
                Math.min(5_000, left / 2),
                TimeUnit.MILLISECONDS);
      }
      host.failed("token_supplier_failed");
    }
  }
}
