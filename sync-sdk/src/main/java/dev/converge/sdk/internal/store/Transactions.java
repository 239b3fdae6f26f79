package dev.converge.sdk.internal.store;

import dev.converge.sdk.storage.SqlDatabase;
import java.sql.SQLException;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactions of a store's one connection: each unit of work commits or rolls back as a whole,
 * and inside a {@link #batch} every unit joins the batch's one transaction. A rollback also gives
 * back the seqs handed out meanwhile, so the outbox stays gapless. The meta values set for the
 * commit ({@link PendingMeta}) are written just before it.
 *
 * <p>Not thread-safe: the store calls it under its monitor.
 */
final class Transactions {

  private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);

  /** A unit of work on the connection. */
  interface Work<T> {
    T run() throws SQLException;
  }

  private final SqlDatabase db;
  private final PendingMeta meta;
  private final LongSupplier nextSeq;
  private final LongConsumer restoreNextSeq;
  private final Runnable onRollback;

  /** Non-zero while {@link #batch} runs: transactions then join the batch's one transaction. */
  private int batchDepth;

  /**
   * Set when a statement failed inside the running batch: it must not commit, whatever the app
   * caught.
   */
  private boolean batchFailed;

  /**
   * @param onRollback told after every rollback, so that what memory holds of the rolled-back work
   *     (the store's unfolded states) is rebuilt from the database
   */
  Transactions(
      SqlDatabase db,
      PendingMeta meta,
      LongSupplier nextSeq,
      LongConsumer restoreNextSeq,
      Runnable onRollback) {
    this.db = db;
    this.meta = meta;
    this.nextSeq = nextSeq;
    this.restoreNextSeq = restoreNextSeq;
    this.onRollback = onRollback;
  }

  /** Runs {@code work} in its own transaction, or in the running batch's. */
  <T> T run(Work<T> work) {
    if (batchDepth > 0) {
      try {
        return work.run();
      } catch (SQLException e) {
        batchFailed = true;
        throw new StoreException("local database failure: " + e.getMessage(), e);
      }
    }
    long seqBefore = nextSeq.getAsLong();
    try {
      db.begin();
      T result = work.run();
      meta.flush();
      db.commit();
      return result;
    } catch (SQLException e) {
      rollbackQuietly();
      restoreNextSeq.accept(seqBefore);
      throw new StoreException("local database failure: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      rollbackQuietly();
      restoreNextSeq.accept(seqBefore);
      throw e;
    }
  }

  /** Runs {@code writes} as one transaction (see {@link Store#batch}). */
  void batch(Runnable writes) {
    if (batchDepth > 0) {
      writes.run();
      return;
    }
    batchDepth++;
    batchFailed = false;
    long seqBefore = nextSeq.getAsLong();
    try {
      db.begin();
      writes.run();
      if (batchFailed) {
        throw new StoreException(
            "a write inside the batch failed; nothing of the batch was kept", null);
      }
      batchDepth--;
      meta.flush();
      db.commit();
    } catch (SQLException e) {
      batchDepth = 0;
      rollbackQuietly();
      restoreNextSeq.accept(seqBefore);
      throw new StoreException("local database failure: " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      batchDepth = 0;
      rollbackQuietly();
      // Seqs handed out inside the rolled-back batch are free again: the outbox stays gapless.
      restoreNextSeq.accept(seqBefore);
      throw e;
    }
  }

  private void rollbackQuietly() {
    meta.discard();
    try {
      db.rollback();
    } catch (SQLException e) {
      LOG.warn("rollback failed", e);
    }
    onRollback.run();
  }
}
