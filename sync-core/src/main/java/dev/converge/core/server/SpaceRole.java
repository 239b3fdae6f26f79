package dev.converge.core.server;

/** What a token lets its subject do in a space it grants. */
public enum SpaceRole {
  /**
   * Receive the space's changes and snapshots; every push into it is refused ({@code read_only}).
   */
  READ,
  /** Receive and push. */
  WRITE
}
