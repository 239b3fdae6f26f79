package dev.converge.sdk.storage;

import java.sql.SQLException;

/**
 * The rows of one query, read forward once. Columns are numbered from 1, as in the SQL text's
 * select list. Reading a NULL gives 0 or {@code null}; {@link #isNull} tells them apart.
 */
public interface SqlRows extends AutoCloseable {

  /** Moves to the next row; false when there is none. */
  boolean next() throws SQLException;

  /** Returns column {@code column} of the current row as an integer, 0 for NULL. */
  long getLong(int column) throws SQLException;

  /** Returns column {@code column} of the current row as text, or null. */
  String getString(int column) throws SQLException;

  /** Returns column {@code column} of the current row as a blob, or null. */
  byte[] getBytes(int column) throws SQLException;

  /** Returns whether column {@code column} of the current row is NULL. */
  boolean isNull(int column) throws SQLException;

  /** Releases the rows. Never throws. */
  @Override
  void close();
}
