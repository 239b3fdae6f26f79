package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a fresh token ({@code auth}) on the open session before the current one expires, so a long
 * session never has to reconnect for its token: at 80% of the remaining lifetime, but at least 60 s
 * before expiry when there is room; after a supplier failure, again within 5 s while more than 2 s
 * are left.
 *
 * <p>Not thread-safe: part of its machine.
 */
final class TokenRefresh {

  private static final Logger LOG = LoggerFactory.getLogger(TokenRefresh.class);

  private final Effects effects;
  private long expiresAt;

  TokenRefresh(Effects effects) {
    this.effects = effects;
  }

  /** Schedules the refresh of a token expiring at {@code expiresAtMillis}. */
  void schedule(long expiresAtMillis) {
    cancel();
    expiresAt = expiresAtMillis;
    long lifetime = expiresAtMillis - effects.now().toEpochMilli();
    if (lifetime <= 0) {
      LOG.debug("token expiry {} is not in the future; no refresh scheduled", expiresAtMillis);
      return;
    }
    long delay = (long) (lifetime * 0.8);
    if (lifetime > 60_000) {
      delay = Math.min(delay, lifetime - 60_000);
    }
    effects.schedule(new Timer.TokenRefresh(), delay);
  }

  /** Cancels a scheduled refresh (the session ended). */
  void cancel() {
    effects.cancel(new Timer.TokenRefresh());
  }

  /** The refresh is due on the welcomed session: ask for a token. */
  void due() {
    effects.emit(new Action.FetchToken(Action.TokenUse.REFRESH));
  }

  /** The fresh token arrived on the welcomed session: send it. */
  void supplied(String token) {
    effects.emit(new Action.Send(new Message.Auth(token)));
  }

  /** The supplier failed on the welcomed session: try again soon while the token lasts. */
  void failed() {
    long left = expiresAt - effects.now().toEpochMilli();
    if (left > 2_000) {
      effects.schedule(new Timer.TokenRefresh(), Math.min(5_000, left / 2));
    }
  }
}
