package dev.converge.server.sync;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the WebSocket sync sessions ({@code converge.sync.*}). */
@ConfigMapping(prefix = "converge.sync")
public interface SyncSettings {

  /** Changes per {@code changes} frame. */
  @WithDefault("200")
  int pageSize();

  /** Documents per {@code snapshot} frame, at most. */
  @WithDefault("100")
  int snapshotPageSize();

  /**
   * Documents one {@code fetch} may name; a fetch naming more is answered {@code fetch_too_large}.
   */
  @WithDefault("100")
  int fetchMaxDocs();

  /**
   * Bytes of document entries per {@code snapshot} frame (and REST snapshot page), at most; a
   * document bigger than this goes alone on its page. Kept below {@link #maxFrameBytes()} with room
   * for the frame's header.
   */
  @WithDefault("1048576")
  long snapshotPageBytes();

  /**
   * The largest WebSocket frame, both ways: the server closes an incoming one beyond it with 1009
   * and never sends one beyond it (a document that does not fit gets {@code snapshot_too_large}).
   */
  @WithDefault("8388608")
  long maxFrameBytes();

  /** Frames a session may have unsent before the server stops reading the log for it. */
  @WithDefault("32")
  int maxInFlightFrames();

  /** How long a session may stay at its in-flight limit before it is closed as too slow (4008). */
  @WithDefault("PT15S")
  Duration slowClientTimeout();

  /**
   * Bytes of frames a session may have queued for its socket and not yet written: replies ({@code
   * ack}, {@code error}, ...) and feed frames alike. A reply that would pass it closes the session
   * with 4008; the feed waits below half of it, so replies always find room.
   */
  @WithDefault("4194304")
  long maxOutboundBytes();

  /**
   * Bytes per second one connection's frames may bring in (inflated; each frame counts at least 1
   * KiB) before the server stops reading it for a while; 0 for no limit. Bursts up to the largest
   * message are let through at once.
   */
  @WithDefault("4194304")
  long maxInboundBytesPerSecond();

  /** Open sessions one token subject may hold on this node; one more is closed with 4429. */
  @WithDefault("32")
  int maxConnectionsPerUser();

  /** How long a new session may take to send {@code hello} before it is closed with 4400. */
  @WithDefault("PT10S")
  Duration helloTimeout();

  /** How often every node re-checks heads, in case a notification was missed. */
  @WithDefault("PT5S")
  Duration pollInterval();

  /**
   * Spaces one session may follow ({@code hello} and {@code subscribe} together); a subscription
   * beyond the bound is refused with {@code too_many_spaces}.
   */
  @WithDefault("256")
  int maxSpacesPerSession();

  /** Identifier of this server node, sent in {@code welcome}; random when unset. */
  java.util.Optional<String> serverId();
}
