package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.ConnectionState;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session's life cycle within a {@link SyncMachine}: token, open, hello, welcome, the end of a
 * session and the reconnect after a jittered exponential backoff that only progress resets, auth
 * failures (one fresh token at once, then {@link ConnectionState#AUTH_FAILED}), pause and close.
 *
 * <p>Not thread-safe: part of its machine.
 */
final class Link {

  private static final Logger LOG = LoggerFactory.getLogger(Link.class);

  /** Where the session stands. */
  enum Phase {
    /** No session. */
    IDLE,
    /** Waiting for the token of a new session ({@link Action.FetchToken}). */
    FETCHING_TOKEN,
    /** {@link Action.Open} emitted; not connected yet. */
    OPENING,
    /** Connected; {@code hello} sent, no {@code welcome} yet. */
    OPEN,
    /** Welcomed: pushes and head requests may flow. */
    WELCOMED
  }

  private final SyncMachine m;
  Phase phase = Phase.IDLE;
  boolean paused;
  boolean closed;
  private int authFailures;
  boolean failedThisSession;

  Link(SyncMachine machine) {
    this.m = machine;
  }

  /** Whether a welcomed session can carry pushes and head requests. */
  boolean welcomed() {
    return phase == Phase.WELCOMED;
  }

  boolean sessionExists() {
    return phase != Phase.IDLE;
  }

  void connectNow() {
    if (closed || paused || m.settings.localOnly() || sessionExists()) {
      return;
    }
    m.effects.cancel(new Timer.Reconnect());
    phase = Phase.FETCHING_TOKEN;
    m.effects.emit(new Action.FetchToken(Action.TokenUse.CONNECT));
  }

  void onToken(Event.TokenSupplied supplied) {
    if (supplied.use() == Action.TokenUse.REFRESH) {
      if (phase == Phase.WELCOMED && supplied.token() != null) {
        m.refresh.supplied(supplied.token());
      } else if (phase == Phase.WELCOMED) {
        onNoToken(new Event.TokenUnavailable(Action.TokenUse.REFRESH, "no token"));
      }
      return;
    }
    if (phase != Phase.FETCHING_TOKEN) {
      return;
    }
    String token = supplied.token();
    if (token == null || token.codePoints().allMatch(Character::isWhitespace)) {
      onNoToken(
          new Event.TokenUnavailable(Action.TokenUse.CONNECT, "token supplier returned no token"));
      return;
    }
    phase = Phase.OPENING;
    LOG.debug("connecting (attempt {})", m.backoff.attempts());
    m.effects.emit(new Action.Open(token));
    m.effects.schedule(new Timer.Handshake(), SyncMachine.HANDSHAKE_TIMEOUT.toMillis());
  }

  void onNoToken(Event.TokenUnavailable unavailable) {
    LOG.warn("token supplier failed: {}", unavailable.detail());
    boolean refreshing = unavailable.use() == Action.TokenUse.REFRESH;
    if (phase != (refreshing ? Phase.WELCOMED : Phase.FETCHING_TOKEN)) {
      return;
    }
    m.board.lastError = SyncMachine.TOKEN_SUPPLIER_FAILED;
    if (refreshing) {
      m.refresh.failed();
      m.board.publish();
      return;
    }
    phase = Phase.IDLE;
    m.board.state = ConnectionState.AUTH_FAILED;
    m.board.publish();
    scheduleReconnect();
  }

  void onConnected() {
    if (phase != Phase.OPENING) {
      return;
    }
    phase = Phase.OPEN;
    // Each subscription carries the space's cursor and stable point (recorded before it is sent).
    List<MessageParts.Subscription> subscriptions = m.stable.hello();
    // After a re-key, the retired id is named while rows carrying its dots are unacked (DESIGN §7).
    m.effects.emit(
        new Action.Send(
            new Message.Hello(
                Message.PROTOCOL_VERSION,
                m.store.replica().replicaId(),
                subscriptions,
                m.store.predecessor().orElse(null),
                m.store.olderPredecessors())));
  }

  /**
   * No welcome within {@link SyncMachine#HANDSHAKE_TIMEOUT}: the network swallowed the connection,
   * the upgrade or the hello without a word. The session is abandoned and retried with backoff, and
   * the status says why, so a device never sits OFFLINE forever with pending changes.
   */
  void onHandshakeTimeout() {
    if (phase != Phase.OPENING && phase != Phase.OPEN) {
      return;
    }
    LOG.warn(
        "no welcome within {} s; abandoning the session",
        SyncMachine.HANDSHAKE_TIMEOUT.getSeconds());
    endSession(CloseCode.GOING_AWAY, "no welcome in time");
    m.board.state = ConnectionState.OFFLINE;
    m.board.lastError = SyncMachine.HANDSHAKE_TIMED_OUT;
    m.board.publish();
    scheduleReconnect();
  }

  void onSessionEnded(int code, String reason, int httpStatus) {
    phase = Phase.IDLE;
    m.push.sessionEnded(code);
    cancelSessionTimers();
    if (closed || paused) {
      return;
    }
    LOG.info("session ended (close {}, http {}): {}", code, httpStatus, reason);
    m.board.state = ConnectionState.OFFLINE;
    CloseCode close = CloseCode.of(code).orElse(null);
    if (close == CloseCode.TOKEN || httpStatus == 401 || httpStatus == 403) {
      m.board.lastError = ErrorCode.TOKEN_INVALID.wire();
      authFailures++;
      if (authFailures == 1) {
        // First refusal: the token may just have expired; try a fresh one at once.
        m.board.publish();
        connectNow();
        return;
      }
      m.board.state = ConnectionState.AUTH_FAILED;
    } else if (close != null && statusCode(close) != null) {
      m.board.lastError = statusCode(close);
    }
    m.board.publish();
    scheduleReconnect();
  }

  /** The {@link SyncStatus#lastError()} a close code leaves, or null if it leaves none. */
  static String statusCode(CloseCode close) {
    return switch (close) {
      case TOKEN -> ErrorCode.TOKEN_INVALID.wire();
      case TOO_BIG -> ErrorCode.TOO_LARGE.wire();
      case TOO_SLOW, PROTOCOL, TOO_MANY_CONNECTIONS -> close.name().toLowerCase(Locale.ROOT);
      // Frames this SDK never sends on purpose: a protocol fault, shown as one.
      case UNSUPPORTED_DATA, INVALID_PAYLOAD -> "protocol";
      case NORMAL, GOING_AWAY -> null;
    };
  }

  void scheduleReconnect() {
    if (closed || paused || m.effects.armed(new Timer.Reconnect())) {
      return;
    }
    long delay = m.backoff.nextDelayMillis();
    LOG.debug("reconnecting in {} ms", delay);
    m.board.nextRetryAt = m.effects.now().plusMillis(delay);
    m.effects.schedule(new Timer.Reconnect(), delay);
  }

  /** Ends the current session on purpose; the driver drops its late callbacks. */
  void endSession(CloseCode code, String reason) {
    if (phase == Phase.OPENING || phase == Phase.OPEN || phase == Phase.WELCOMED) {
      m.effects.emit(new Action.Close(code.code(), reason));
    }
    phase = Phase.IDLE;
    m.push.sessionEnded(code.code());
    cancelSessionTimers();
  }

  /**
   * Cancels what only the ended session needed: token refresh, push retry, stability timer, stable
   * report.
   */
  private void cancelSessionTimers() {
    m.stable.sessionEnded();
    m.subscriptions.sessionEnded();
    m.rereads.sessionEnded();
    m.antiEntropy.sessionEnded();
    m.refresh.cancel();
    m.effects.cancel(new Timer.PushRetry());
    m.effects.cancel(new Timer.StableSession());
    m.effects.cancel(new Timer.Handshake());
  }

  void restartSession(String why) {
    LOG.info("restarting the session: {}", why);
    endSession(CloseCode.NORMAL, why);
    m.board.state = ConnectionState.OFFLINE;
    m.board.publish();
    connectNow();
  }

  void onMalformed(String detail) {
    LOG.warn("undecodable message from the server ({}); reconnecting", detail);
    m.board.lastError = ErrorCode.MALFORMED.wire();
    endSession(CloseCode.PROTOCOL, "malformed message");
    m.board.state = ConnectionState.OFFLINE;
    m.board.publish();
    scheduleReconnect();
  }

  /** The welcome arrived: the session is up. */
  void onWelcome(long tokenExpiresAtMillis) {
    phase = Phase.WELCOMED;
    authFailures = 0;
    m.board.state = ConnectionState.ONLINE;
    m.board.lastError = null;
    m.board.nextRetryAt = null;
    failedThisSession = false;
    m.effects.cancel(new Timer.Handshake());
    m.effects.schedule(new Timer.StableSession(), SyncMachine.STABLE_SESSION.toMillis());
    m.refresh.schedule(tokenExpiresAtMillis);
  }

  /**
   * Retries the failed push and any unanswered sync request on this session after the backoff, or
   * after the server's {@code retryAfterMs} if that is longer. The backoff is shared with
   * reconnects and only progress resets it, so a failure right after each welcome cannot loop.
   */
  void scheduleRetry(Long retryAfterMs) {
    failedThisSession = true;
    if (m.effects.armed(new Timer.PushRetry())) {
      return;
    }
    long delay = m.backoff.nextDelayMillis();
    if (retryAfterMs != null && retryAfterMs > delay) {
      delay = retryAfterMs;
    }
    m.board.nextRetryAt = m.effects.now().plusMillis(delay);
    m.effects.schedule(new Timer.PushRetry(), delay);
  }
}
