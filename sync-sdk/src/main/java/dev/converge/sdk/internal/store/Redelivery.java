package dev.converge.sdk.internal.store;

/**
 * Which outbox rows a re-key vouches for as possibly delivered already, under the id it retires.
 * Their pushes under the new id are marked resent ({@link
 * dev.converge.core.protocol.Changeset#resend}): the server then takes an entry whose dot it saw
 * and no longer holds (superseded or removed since) as already reflected rather than as a reused
 * dot, so the app is not told that a write it made was rejected (docs/protocol-2.md, "Resent
 * changes"). A row vouched for stays so through later re-keys.
 */
public enum Redelivery {

  /**
   * The database file is a copy or a restored backup, found when it opens: every row in it predates
   * the copy, so a dot of one that the server saw came from that very write.
   */
  EVERY_ROW,

  /**
   * This device took rows out of its outbox (a purge, a refusal): the rows it had sent may have
   * reached the server with their acks lost.
   */
  SENT_ROWS,

  /**
   * The server's record of the retired id disagrees with this file (a copy or a restore found only
   * now): rows written since may reuse dots with other content, and the server must keep reporting
   * those, so no further row is vouched for.
   */
  NONE
}
