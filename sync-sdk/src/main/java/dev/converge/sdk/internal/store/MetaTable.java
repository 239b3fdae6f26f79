package dev.converge.sdk.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The {@code meta} table of a store file: one text value per key (replica id, next seq, clock,
 * lineage). Stateless; callers run it inside their own transaction.
 */
final class MetaTable {

  private MetaTable() {}

  /** Returns the value of {@code key}, or null if it is not set. */
  static String get(Connection connection, String key) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Sets {@code key} to {@code value}, replacing any previous value. */
  static void put(Connection connection, String key, String value) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
      ps.setString(1, key);
      ps.setString(2, value);
      ps.executeUpdate();
    }
  }
}
