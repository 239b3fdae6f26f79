package dev.converge.server.changeset;

import dev.converge.core.server.PushOutcome;
import java.time.Duration;

/**
 * What follows a committed push on this node, whichever endpoint received it: waking this node's
 * sessions of the changed spaces (other nodes wake on the commit's notification) and counting it.
 * {@link PushService} calls it once per committed push; the live-sync side implements it, so the
 * push service knows nothing of sessions.
 *
 * <p>Implementations are thread-safe and do not block.
 */
public interface CommittedPushes {

  /**
   * Reacts to a committed push.
   *
   * @param outcome what the push did
   * @param latency from receiving the push to its commit
   */
  void committed(PushOutcome outcome, Duration latency);
}
