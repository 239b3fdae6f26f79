package dev.converge.sdk.internal.store;

import dev.converge.sdk.DocumentKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Small JDBC steps the tables share. Stateless. */
final class Sql {

  private Sql() {}

  /** Runs a query for one number with at most one text argument; 0 when there is no row. */
  static long queryLong(Connection connection, String sql, String arg) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      if (arg != null) {
        ps.setString(1, arg);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /** Runs an update with one text argument; returns the rows changed. */
  static int update(Connection connection, String sql, String arg) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, arg);
      return ps.executeUpdate();
    }
  }

  /** Binds a document key to three parameters from {@code first}. */
  static void bindKey(PreparedStatement ps, int first, DocumentKey key) throws SQLException {
    ps.setString(first, key.space());
    ps.setString(first + 1, key.collection());
    ps.setString(first + 2, key.docId());
  }
}
