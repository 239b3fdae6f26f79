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
   * Bytes of document entries per {@code snapshot} frame (and REST snapshot page), at most; a
   * document bigger than this goes alone on its page. Kept below {@link #maxFrameBytes()} with
   * room for the frame's header.
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

  /** How often every node re-checks heads, in case a notification was missed. */
  @WithDefault("PT5S")
  Duration pollInterval();

  /** Identifier of this server node, sent in {@code welcome}; random when unset. */
  java.util.Optional<String> serverId();
}
