package dev.converge.sdk;

/**
 * Receives sync status updates. Called on the executor given at registration (by default the
 * client's single listener thread) whenever the status may have changed.
 */
@FunctionalInterface
public interface StatusListener {
  /** Called with the current status. */
  void onStatus(SyncStatus status);
}
