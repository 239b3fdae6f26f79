package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.sdk.internal.store.Purge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@link SyncMachine} does when the server refuses a whole push with {@code
 * forbidden_space} (no {@code ref}: the space was erased, or its user was), so that such a push
 * never stalls the outbox for good (docs/access-control.md):
 *
 * <ol>
 *   <li>The first refusal may come from a token issued before the grants changed: the session is
 *       restarted with a fresh token, and from now on each push holds one space only.
 *   <li>A refusal under that fresh token names its space: the push held one space, the first unsent
 *       row's. The server names the space only in its message text, so the SDK does not parse it; a
 *       push of one space is refused only for that space. The unsent changes of that space move to
 *       the rejected changes ({@code forbidden_space}), the documents stay as they are, and the
 *       rest of the outbox drains.
 * </ol>
 *
 * <p>An ack that makes progress ends both: the next refusal asks for a fresh token again.
 *
 * <p>Not thread-safe: part of its machine.
 */
final class ForbiddenPushes {

  private static final Logger LOG = LoggerFactory.getLogger(ForbiddenPushes.class);

  private final SyncMachine m;

  /** Whether the token of the sessions since the last refusal was fetched after it. */
  private boolean freshToken;

  ForbiddenPushes(SyncMachine machine) {
    this.m = machine;
  }

  /**
   * Whether {@code error}, failing the push in flight as a whole, is surely the push's refusal. The
   * server also refuses a subscription (or a fetch) of a space the session does not grant with
   * {@code forbidden_space} without {@code ref}: while a space is known refused or a {@code
   * subscribe} awaits its answer, the error may be that one, so it is taken as a plain push failure
   * (retried with backoff), never as a reason to reject changes.
   */
  boolean applies(Message.Error error) {
    return error.ref() == null
        && error.knownCode().orElse(null) == ErrorCode.FORBIDDEN_SPACE
        && m.board.forbidden.isEmpty()
        && !m.subscriptions.awaitingAnswer();
  }

  /** An ack moved the outbox: the refusals so far are overcome. */
  void progress() {
    freshToken = false;
  }

  /** The push in flight was refused as a whole with {@code forbidden_space}. */
  void refused(Message.Error error) {
    m.push.oneSpacePerPush(true);
    if (!freshToken) {
      freshToken = true;
      LOG.info("push refused ({}); retrying with a fresh token", error.message());
      m.link.restartSession("forbidden_space: fetching a fresh token");
      return;
    }
    String space = m.push.sentSpace();
    if (space == null) {
      // Only a push sent before one space per push was asked for spans spaces: send it narrowed.
      m.push.release();
      m.push.pushMore();
      return;
    }
    LOG.warn(
        "pushes into space {} refused under a fresh token ({}); its unsent changes are rejected",
        space,
        error.message());
    Purge moved =
        m.store.rejectUnsent(
            space,
            ErrorCode.FORBIDDEN_SPACE.wire(),
            "the server refused pushes into space '" + space + "': " + error.message());
    if (!moved.rejected().isEmpty()) {
      m.rejected(moved.rejected());
    }
    if (moved.rekeyed()) {
      m.waiters.retarget(m.store.replica().lastIssuedSeq());
      m.link.restartSession("re-keyed after a refused space");
      return;
    }
    m.push.release();
    m.push.pushMore();
    m.checkWaiters();
  }
}
