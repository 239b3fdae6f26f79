package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.Message;
import java.time.Duration;

/**
 * Something that happened to the replicator, fed to {@link SyncMachine#step}. Events are values;
 * the time of each step comes with it.
 */
public sealed interface Event {

  /** The app called connect(): connect unless local-only (also after a disconnect or a pause). */
  record Start() implements Event {}

  /** The app called disconnect(): end the session and stay disconnected until connect(). */
  record Disconnect() implements Event {}

  /** The app subscribed to {@code space} at runtime. */
  record Subscribe(String space) implements Event {}

  /**
   * The app unsubscribed from {@code spaces}: tell the server, then purge them locally (their
   * unsent changes become rejected changes).
   */
  record Unsubscribe(java.util.List<String> spaces) implements Event {
    /** Creates the event; the list is copied. */
    public Unsubscribe {
      spaces = java.util.List.copyOf(spaces);
    }
  }

  /** The token asked for by {@link Action.FetchToken} arrived. */
  record TokenSupplied(Action.TokenUse use, String token) implements Event {}

  /** The token supplier failed (threw, or returned no token) for {@link Action.FetchToken}. */
  record TokenUnavailable(Action.TokenUse use, String detail) implements Event {}

  /** The session opened by {@link Action.Open} is connected (the upgrade succeeded). */
  record Connected() implements Event {}

  /**
   * A server message arrived on the current session: welcome, ack, changes, snapshot, authed,
   * revoked, synced or error.
   */
  record Received(Message message) implements Event {}

  /** A frame of the current session could not be decoded. */
  record Malformed(String detail) implements Event {}

  /** The server closed the current session with a WebSocket close code. */
  record Closed(int code, String reason) implements Event {}

  /**
   * The current session failed; {@code httpStatus} is a refused upgrade's status (such as 401), or
   * 0 if no HTTP response was received.
   */
  record Failed(int httpStatus, String detail) implements Event {}

  /** A timer set by {@link Action.Schedule} (and not cancelled since) fired. */
  record TimerFired(Timer timer) implements Event {}

  /** A local change was committed to the outbox. */
  record LocalWrite() implements Event {}

  /**
   * The app asked to sync ({@code syncNow}): complete waiter {@code waiter} once every change up to
   * {@code targetSeq} is acknowledged and the spaces caught up with the heads the server answers.
   */
  record SyncRequested(long waiter, long targetSeq, Duration timeout) implements Event {}

  /** The app paused syncing. */
  record Pause() implements Event {}

  /** The app resumed syncing. */
  record Resume() implements Event {}

  /** Something outside the protocol changed the status (a rejected change was dismissed). */
  record StatusRefresh() implements Event {}

  /** The client closes: end the session and fail every waiter. */
  record Shutdown() implements Event {}

  /** A step failed with an unexpected exception: start over from a fresh session. */
  record StepFailed(String detail) implements Event {}
}
