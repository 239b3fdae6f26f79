package dev.converge.server.changeset;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Quotas and rate limits of pushes ({@code converge.limits.*}). Rates are kept per server node:
 * with N nodes behind a balancer, a user may push up to N times the rate.
 */
@ConfigMapping(prefix = "converge.limits")
public interface LimitSettings {

  /** Changesets one user may push per second; 0 turns the limit off. */
  @WithDefault("200")
  double userChangesetsPerSecond();

  /** Changesets one user may push at once after a pause. */
  @WithDefault("2000")
  double userBurst();

  /** Changesets all users together may push into one space per second; 0 turns the limit off. */
  @WithDefault("1000")
  double spaceChangesetsPerSecond();

  /** Changesets all users together may push into one space at once after a pause. */
  @WithDefault("5000")
  double spaceBurst();

  /** The UTF-8 bytes a space's stored documents may take together; 0: no quota. */
  @WithDefault("268435456")
  long maxSpaceBytes();

  /**
   * The most rate buckets kept per kind (users, spaces) on a node; full ones are forgotten first.
   */
  @WithDefault("100000")
  int maxTrackedBuckets();
}
