package dev.converge.sdk.storage;

import java.nio.file.Path;
import java.sql.SQLException;

/**
 * One connection to the SQLite file of a local replica: the seam between the SDK's store and a
 * platform's SQLite binding. The store keeps every query, rule and schema migration; an
 * implementation only runs statements, so the JVM ({@link JdbcSqlDatabase}, on sqlite-jdbc) and
 * Android ({@code dev.converge.sdk.android.AndroidSqlDatabase}, on {@code android.database.sqlite})
 * share all of them.
 *
 * <p><b>Parameters</b> are bound by position ({@code ?} or {@code ?N}); each is a {@link Long},
 * {@link Integer}, {@link String}, {@code byte[]} or {@code null}, bound with that SQLite type
 * (never as text, so {@code LIMIT ?} and integer comparisons behave alike on every platform). Any
 * other type is an {@link IllegalArgumentException}.
 *
 * <p><b>Transactions.</b> Outside {@link #begin()} ... {@link #commit()}/{@link #rollback()} each
 * statement commits on its own. Transactions do not nest.
 *
 * <p><b>Failures</b> are {@link SQLException}s (the type exists on Android too); an implementation
 * wraps its platform's exception in one, keeping it as the cause.
 *
 * <p>Not thread-safe: the store calls it under its own lock, one transaction at a time, each
 * transaction on one thread (Android binds a transaction to its thread).
 */
public interface SqlDatabase extends AutoCloseable {

  /** Opens the database of a client; given to {@code SyncClient.Builder.database}. */
  @FunctionalInterface
  interface Opener {
    /**
     * Opens the database.
     *
     * @param synchronousFull the builder's {@code durableCommits}: whether every commit must wait
     *     for the disk ({@code synchronous=FULL}) rather than for the WAL write only
     */
    SqlDatabase open(boolean synchronousFull) throws SQLException;
  }

  /**
   * Runs a statement that returns no rows (insert, update, delete, DDL).
   *
   * @return the number of rows changed (meaningless for DDL)
   */
  int update(String sql, Object... args) throws SQLException;

  /**
   * Runs an {@code INSERT}.
   *
   * @return the rowid of the inserted row
   */
  long insert(String sql, Object... args) throws SQLException;

  /** Runs a query; the caller closes the returned rows. */
  SqlRows query(String sql, Object... args) throws SQLException;

  /** Starts a transaction. */
  void begin() throws SQLException;

  /** Commits the running transaction. */
  void commit() throws SQLException;

  /** Rolls the running transaction back; does nothing when none is running. */
  void rollback() throws SQLException;

  /** Returns the schema version recorded in the file ({@code PRAGMA user_version}). */
  int userVersion() throws SQLException;

  /** Records the schema version; call it inside the migration's transaction. */
  void setUserVersion(int version) throws SQLException;

  /**
   * Returns the database file. The store records its identity to notice a copied or restored file
   * (a second device with the same replica id).
   */
  Path file();

  /** Closes the connection; a running transaction rolls back. Never throws. */
  @Override
  void close();
}
