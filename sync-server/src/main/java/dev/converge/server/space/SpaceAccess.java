package dev.converge.server.space;

import dev.converge.core.protocol.ErrorCode;
import dev.converge.server.error.SyncError;

/** The one access rule of REST: a space must be granted; whether it exists is never revealed. */
public final class SpaceAccess {
  private SpaceAccess() {}

  /**
   * Checks that {@code grants} allow {@code space}.
   *
   * @throws SyncError {@code forbidden_space} (403) otherwise
   */
  public static void require(SpaceGrants grants, String space) {
    if (!grants.allows(space)) {
      throw new SyncError(
          ErrorCode.FORBIDDEN_SPACE, "space '" + space + "' is not granted by this token");
    }
  }
}
