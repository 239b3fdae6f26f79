package dev.converge.sdk.internal.store;

import dev.converge.sdk.storage.SqlDatabase;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code meta} values a transaction sets again and again (the next seq and the clock, at every
 * local write), written once, just before the transaction commits: a batch of 1,000 writes writes
 * them once instead of 1,000 times. Atomicity is unchanged: they commit with the writes that set
 * them, or roll back with them ({@link Transactions} flushes and discards).
 *
 * <p>A value written now ({@link #putNow}) replaces what was pending for its key, so that a later
 * flush cannot put back an older value (a re-key resets the next seq inside a transaction that may
 * have made changes before).
 *
 * <p>Not thread-safe: the store calls it under its monitor, inside its transactions.
 */
final class PendingMeta {

  private final SqlDatabase db;
  private final Map<String, String> pending = new LinkedHashMap<>();

  PendingMeta(SqlDatabase db) {
    this.db = db;
  }

  /** Sets {@code key} to {@code value} at the running transaction's commit. */
  void putAtCommit(String key, String value) {
    pending.put(key, value);
  }

  /** Sets {@code key} to {@code value} now, dropping any value pending for it. */
  void putNow(String key, String value) throws SQLException {
    pending.remove(key);
    MetaTable.put(db, key, value);
  }

  /** Writes the pending values; the caller commits next. */
  void flush() throws SQLException {
    for (Map.Entry<String, String> e : pending.entrySet()) {
      MetaTable.put(db, e.getKey(), e.getValue());
    }
    pending.clear();
  }

  /** Forgets the pending values: their transaction rolled back. */
  void discard() {
    pending.clear();
  }
}
