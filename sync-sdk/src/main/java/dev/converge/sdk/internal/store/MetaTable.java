package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Hlc;
import dev.converge.sdk.storage.SqlDatabase;
import dev.converge.sdk.storage.SqlRows;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * The {@code meta} table of a store file: one text value per key (replica id, next seq, clock,
 * lineage). Stateless; callers run it inside their own transaction.
 */
final class MetaTable {

  private MetaTable() {}

  /**
   * Gives a new store file its identity: a replica id drawn from {@code newReplicaIds}, seqs from
   * 1, a zero clock.
   */
  static void initialize(SqlDatabase db, long now, Supplier<String> newReplicaIds)
      throws SQLException {
    if (get(db, "replica_id") == null) {
      put(db, "replica_id", newReplicaIds.get());
      put(db, "next_seq", "1");
      put(db, "hlc", Hlc.ZERO.toString());
      put(db, "rekeys", "0");
      put(db, "created_at", Long.toString(now));
    }
  }

  /** Returns the value of {@code key}, or null if it is not set. */
  static String get(SqlDatabase db, String key) throws SQLException {
    try (SqlRows rs = db.query("SELECT value FROM meta WHERE key = ?", key)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** Sets {@code key} to {@code value}, replacing any previous value. */
  static void put(SqlDatabase db, String key, String value) throws SQLException {
    db.update(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value);
  }
}
