package dev.converge.sdk;

/**
 * Receives committed document changes. Called on the executor given at registration (by default the
 * client's single listener thread, never the thread that wrote), after the change is committed.
 */
@FunctionalInterface
public interface ChangeListener {
  /** Called once per changed document per commit. */
  void onChange(ChangeEvent event);
}
