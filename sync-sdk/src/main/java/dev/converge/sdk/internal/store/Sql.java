package dev.converge.sdk.internal.store;

import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;

/** Small steps the tables share. Stateless. */
final class Sql {

  private Sql() {}

  /** Runs a query for one number; 0 when there is no row. */
  static long queryLong(SqlDatabase db, String sql, Object... args) throws SQLException {
    try (SqlRows rs = db.query(sql, args)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }
}
