package dev.converge.server.db;

import java.util.List;

/**
 * Keeps the server's native selects out of Hibernate's query plan cache.
 *
 * <p>Hibernate Reactive wraps the result mapping of a native select in an object without value
 * equality, while the cache key hashes only the SQL text: every run of the same native select
 * misses the cache and stores one more plan under the same hash. The cache fills up with copies
 * that all land in one bucket, and each lookup walks them (in a profile of the fan-out benchmark,
 * 16 % of the server's CPU samples; {@code QueryPlanCacheTest} counts the plans).
 *
 * <p>Hibernate does not cache the plan of a native query that binds a list parameter, so a native
 * select names its key as {@code in (:key)} and binds it through {@link #key}: the same statement
 * for the database ({@code = $1}), planned afresh at each run (cheap for native SQL: nothing to
 * parse) and never stored. A native statement whose rows are not read (a lock, a notification) runs
 * through {@code executeUpdate}, whose plans are cached by value.
 */
public final class PlanCacheBypass {

  private PlanCacheBypass() {}

  /** Returns {@code value} as a one-element list, to bind to an {@code in (:name)} placeholder. */
  public static <T> List<T> key(T value) {
    return List.of(value);
  }
}
