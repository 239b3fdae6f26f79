package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.crdt.ReplicaIds;
import dev.converge.core.digest.SpaceDigest;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.trust.Lineage;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.storage.JdbcSqlDatabase;
import dev.converge.sdk.storage.SqlDatabase;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store} on one SQLite file, through a {@link SqlDatabase} (sqlite-jdbc on the JVM,
 * {@code android.database.sqlite} on Android): every query, rule and migration lives in this
 * package and is shared by both. Every method is one transaction under this object's monitor.
 *
 * <p>On open, a changed {@link InstallFingerprint} (the file is a copy or a restored backup) makes
 * the store re-key: both copies then make distinct dots and seqs.
 *
 * <p>The tables each have their class over the one connection ({@link DocumentTable}, {@link
 * OutboxTable}, {@link RejectedTable}, {@link RereadTable}, {@link SpaceTable}, {@code meta} with
 * {@link ReplicaLineage}, {@link SpacePurge}), and the write and refusal paths theirs ({@link
 * LocalChanges}, {@link Quarantine}); this class owns the transactions and the replica's identity.
 *
 * <p>Thread-safe: every method runs under this object's monitor, the lock {@code
 * dev.converge.sdk.internal.engine.CommitOrder} documents.
 */
public final class SqliteStore implements Store {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = StoreSchema.VERSION;

  private final SqlDatabase db;
  private final LongSupplier wallMillis;
  private final HybridClock clock;
  private final ReplicaLineage lineage;
  private final DocumentTable documents;
  private final OutboxTable outbox;
  private final OutboxCoalescer coalescer;
  private final RejectedTable rejectedTable;
  private final Quarantine quarantine;
  private final RefusedReissue reissue;
  private final LocalChanges changes;
  private final RereadTable rereads;
  private final SpaceTable spaces;
  private final SpacePurge purge;
  private final StablePoints stablePoints;
  private final DigestTable digests;
  private final Transactions transactions;
  private final PendingStates pending;
  private final PushMark pushMark;
  private final CollectionQueries queries;
  private final RestoreRepair repair;
  private String replicaId;
  private boolean coalesce = true;
  private long nextSeq;
  private long rekeys;

  private SqliteStore(
      SqlDatabase db,
      ProtocolCodec codec,
      LongSupplier wallMillis,
      Duration maxClockOffset,
      Supplier<String> newReplicaIds)
      throws SQLException {
    this.db = db;
    this.wallMillis = wallMillis;
    PendingMeta meta = new PendingMeta(db);
    this.lineage = new ReplicaLineage(db, meta, newReplicaIds);
    this.documents = new DocumentTable(db, codec, wallMillis);
    this.outbox = new OutboxTable(db, codec);
    this.coalescer = new OutboxCoalescer(db, codec, outbox);
    this.rejectedTable = new RejectedTable(db, outbox);
    this.spaces = new SpaceTable(db);
    this.rereads = new RereadTable(db, codec, documents, outbox);
    this.quarantine = new Quarantine(codec, documents, outbox, rejectedTable, spaces, rereads);
    this.changes = new LocalChanges(meta, codec, documents, outbox, spaces, wallMillis);
    this.reissue =
        new RefusedReissue(codec, documents, outbox, coalescer, changes, rereads, lineage);
    this.purge = new SpacePurge(documents, spaces, rejectedTable, lineage, rereads);
    this.stablePoints = new StablePoints(db);
    this.queries = new CollectionQueries(db, codec);
    this.repair = new RestoreRepair(db, documents, changes, wallMillis);
    this.digests = new DigestTable(db, codec, documents, outbox, changes);
    this.pending = new PendingStates(db, codec, documents);
    this.transactions =
        new Transactions(db, meta, () -> nextSeq, seq -> nextSeq = seq, pending::forget);
    StoreSchema.migrate(db, codec);
    inTransaction(
        () -> {
          MetaTable.initialize(db, wallMillis.getAsLong(), newReplicaIds);
          lineage.upgrade();
          // At open: rows an older SDK left may have been sent, so they are frozen; a new file
          // has none.
          coalescer.sentThrough();
          return null;
        });
    this.replicaId = MetaTable.get(db, "replica_id");
    this.nextSeq = Long.parseLong(MetaTable.get(db, "next_seq"));
    this.rekeys = Long.parseLong(MetaTable.get(db, "rekeys"));
    // A timestamp persisted beyond physical time + the offset (a poisoned clock) is clamped here.
    this.clock = new HybridClock(wallMillis, maxClockOffset, Hlc.parse(MetaTable.get(db, "hlc")));
    String fingerprint = InstallFingerprint.of(db.file());
    this.pushMark = inTransaction(() -> PushMark.read(db, db.file()));
    if (inTransaction(() -> InstallFingerprint.changed(db, fingerprint))) {
      LOG.warn(
          "local database {} is a copy or a restored backup (fingerprint changed); taking a new replica id",
          db.file());
      rekey("database file copied or restored", Redelivery.EVERY_ROW);
    } else if (pushMark.restoredBehind()) {
      LOG.warn(
          "local database {} was restored in place (behind its push mark); taking a new replica id",
          db.file());
      rekey("database file restored in place", Redelivery.EVERY_ROW);
    }
    // Recorded once the re-key committed: a crash before it finds the same evidence again.
    inTransaction(
        () -> {
          InstallFingerprint.record(db, fingerprint);
          pushMark.adopt(db);
          return null;
        });
  }

  /**
   * Opens (creating if needed) the store at {@code file} on sqlite-jdbc, its clock bounded by
   * {@link HybridClock#DEFAULT_MAX_OFFSET}.
   *
   * @see #open(Path, ProtocolCodec, LongSupplier, boolean, Duration)
   */
  public static SqliteStore open(
      Path file, ProtocolCodec codec, LongSupplier wallMillis, boolean synchronousFull) {
    return open(file, codec, wallMillis, synchronousFull, HybridClock.DEFAULT_MAX_OFFSET);
  }

  /**
   * Opens (creating if needed) the store at {@code file} on sqlite-jdbc ({@link JdbcSqlDatabase}).
   *
   * @param synchronousFull whether every commit waits for the disk (survives OS crashes) rather
   *     than only for the WAL write (survives application crashes)
   * @throws StoreException if the file cannot be opened, is in use by another client, or has a
   *     newer schema
   * @see #open(SqlDatabase, ProtocolCodec, LongSupplier, Duration)
   */
  public static SqliteStore open(
      Path file,
      ProtocolCodec codec,
      LongSupplier wallMillis,
      boolean synchronousFull,
      Duration maxClockOffset) {
    return open(file, codec, wallMillis, synchronousFull, maxClockOffset, ReplicaIds::random);
  }

  /**
   * Opens (creating if needed) the store at {@code file} on sqlite-jdbc, drawing new replica ids
   * (the first one and each re-key's) from {@code newReplicaIds}: a deterministic simulation passes
   * a seeded source so that a run replays exactly; everything else uses {@link
   * ReplicaIds#random()}.
   *
   * @see #open(Path, ProtocolCodec, LongSupplier, boolean, Duration)
   */
  public static SqliteStore open(
      Path file,
      ProtocolCodec codec,
      LongSupplier wallMillis,
      boolean synchronousFull,
      Duration maxClockOffset,
      Supplier<String> newReplicaIds) {
    SqlDatabase db;
    try {
      db = JdbcSqlDatabase.open(file, synchronousFull);
    } catch (SQLException e) {
      throw StoreException.cannotOpen(file, e);
    }
    return open(db, codec, wallMillis, maxClockOffset, newReplicaIds);
  }

  /**
   * Opens the store on {@code db} (any platform's binding), creating or migrating its tables, with
   * random replica ids. The store owns {@code db} from here on and closes it, also when opening
   * fails.
   *
   * @param wallMillis the wall clock for HLC timestamps and row times
   * @param maxClockOffset the greatest lead over {@code wallMillis} a remote timestamp can give the
   *     clock (see {@link HybridClock})
   * @throws StoreException if the tables cannot be read or have a newer schema
   */
  public static SqliteStore open(
      SqlDatabase db, ProtocolCodec codec, LongSupplier wallMillis, Duration maxClockOffset) {
    return open(db, codec, wallMillis, maxClockOffset, ReplicaIds::random);
  }

  /**
   * Opens the store on {@code db}, drawing new replica ids from {@code newReplicaIds} (seeded in a
   * deterministic simulation).
   *
   * @see #open(SqlDatabase, ProtocolCodec, LongSupplier, Duration)
   */
  public static SqliteStore open(
      SqlDatabase db,
      ProtocolCodec codec,
      LongSupplier wallMillis,
      Duration maxClockOffset,
      Supplier<String> newReplicaIds) {
    try {
      return new SqliteStore(db, codec, wallMillis, maxClockOffset, newReplicaIds);
    } catch (SQLException | RuntimeException e) {
      db.close();
      throw e instanceof SQLException sql
          ? StoreException.cannotOpen(db.file(), sql)
          : (RuntimeException) e;
    }
  }

  /**
   * Runs {@code work} in a transaction, the local writes that wait folded first: it may read stored
   * states, digests or the field index ({@link PendingStates}).
   */
  private synchronized <T> T inTransaction(Transactions.Work<T> work) {
    return transactions.run(
        () -> {
          pending.fold();
          return work.run();
        });
  }

  /**
   * Runs {@code work} in a transaction without folding: for work that reads no stored state (the
   * outbox, cursors, meta) or reads states through {@link PendingStates}.
   */
  private synchronized <T> T inLazyTransaction(Transactions.Work<T> work) {
    return transactions.run(work);
  }

  @Override
  public synchronized void batch(Runnable writes) {
    transactions.batch(writes);
  }

  @Override
  public synchronized ReplicaInfo replica() {
    return new ReplicaInfo(replicaId, nextSeq, rekeys);
  }

  @Override
  public synchronized Optional<Document> read(DocumentKey key) {
    return inLazyTransaction(
        () -> {
          Document waiting = pending.get(key);
          return Optional.ofNullable(waiting != null ? waiting : documents.load(key));
        });
  }

  @Override
  public synchronized Optional<OutboxRow> writeLocal(DocumentKey key, LocalMutation mutation) {
    return inLazyTransaction(
        () -> {
          Optional<OutboxRow> row =
              changes.write(key, mutation, replicaId, nextSeq, clock, pending);
          row.ifPresent(written -> nextSeq = written.seq() + 1);
          if (pending.full()) {
            pending.fold();
          }
          return row;
        });
  }

  @Override
  public synchronized List<DocumentKey> applyChanges(
      String space, long to, List<MessageParts.ChangeItem> items, String epoch) {
    return inTransaction(
        () -> {
          List<DocumentKey> changed = documents.joinChanges(space, items, clock);
          spaces.advance(space, to, epoch);
          return changed;
        });
  }

  @Override
  public synchronized List<DocumentKey> applySnapshotPage(
      String space, List<MessageParts.SnapshotDoc> docs, boolean last) {
    return inTransaction(
        () -> {
          if (repair.pending(space)) {
            // The dots of this id and of the one it retired when the repair began.
            Lineage own =
                new Lineage(replicaId, lineage.declared().map(p -> Set.of(p)).orElse(Set.of()));
            nextSeq += repair.page(space, docs, last, replicaId, nextSeq, own, clock);
          }
          List<DocumentKey> changed = documents.joinSnapshot(space, docs, clock);
          spaces.beginSnapshot(space);
          return changed;
        });
  }

  @Override
  public synchronized String epoch(String space) {
    return inLazyTransaction(() -> spaces.epoch(space));
  }

  @Override
  public synchronized boolean beginRepair(String space) {
    return inTransaction(() -> repair.begin(space));
  }

  @Override
  public synchronized void finishSnapshot(String space, long head, String epoch) {
    inTransaction(
        () -> {
          spaces.finishSnapshot(space, head, epoch);
          stablePoints.clampWrites(space, head);
          return null;
        });
  }

  @Override
  public synchronized long cursor(String space) {
    return inLazyTransaction(() -> spaces.cursor(space));
  }

  @Override
  public synchronized boolean snapshotInProgress(String space) {
    return inLazyTransaction(() -> spaces.snapshotInProgress(space));
  }

  @Override
  public synchronized OptionalLong stablePoint(String space) {
    return inLazyTransaction(() -> stablePoints.toReport(space));
  }

  @Override
  public synchronized void stableReported(Map<String, Long> points) {
    inTransaction(
        () -> {
          stablePoints.reported(points);
          return null;
        });
  }

  @Override
  public synchronized List<OutboxRow> outbox(long afterSeq, int limit) {
    return inLazyTransaction(() -> outbox.after(afterSeq, limit, replicaId));
  }

  /** Sets whether {@link #pushBatch} joins never-sent rows (on unless turned off). */
  public synchronized void coalesceOutbox(boolean on) {
    this.coalesce = on;
  }

  @Override
  public synchronized List<OutboxRow> pushBatch(long afterSeq, int limit) {
    List<OutboxRow> rows =
        inLazyTransaction(
            () -> {
              if (coalesce) {
                coalescer.coalesce(replicaId);
              }
              List<OutboxRow> batch = outbox.after(afterSeq, limit, replicaId);
              if (!batch.isEmpty()) {
                coalescer.sent(batch.get(batch.size() - 1).toSeq());
                pushMark.raise(db);
              }
              return batch;
            });
    if (!rows.isEmpty()) {
      pushMark.publish(); // after the commit, before the push leaves
    }
    return rows;
  }

  @Override
  public synchronized long pendingCount() {
    return inLazyTransaction(outbox::changeCount);
  }

  @Override
  public synchronized long firstPendingSeq() {
    return inLazyTransaction(outbox::firstSeq);
  }

  @Override
  public synchronized int ack(long upToSeq) {
    return inTransaction(() -> outbox.deleteUpTo(upToSeq));
  }

  @Override
  public synchronized Optional<RejectedChange> quarantine(long seq, String code, String message) {
    return inTransaction(
        () -> {
          long now = wallMillis.getAsLong();
          Optional<Long> reissued = reissue.reissue(seq, code, replicaId, nextSeq, clock, now);
          if (reissued.isPresent()) {
            nextSeq = reissued.get();
            return Optional.<RejectedChange>empty();
          }
          return quarantine.refused(seq, replicaId, code, message, now, clock);
        });
  }

  @Override
  public synchronized List<String> rereadSpaces() {
    return inTransaction(rereads::spaces);
  }

  @Override
  public synchronized List<DocumentKey> pendingRereads(String space, int limit) {
    return inTransaction(() -> rereads.pending(space, limit));
  }

  @Override
  public synchronized List<DocumentKey> applyRereads(
      String space, List<MessageParts.SnapshotDoc> docs) {
    return inTransaction(() -> rereads.apply(space, docs, clock));
  }

  @Override
  public synchronized int scrubDigests(String space, int limit) {
    return inTransaction(() -> digests.scrub(space, limit));
  }

  @Override
  public synchronized SpaceDigest digestTree(String space) {
    return inTransaction(() -> digests.tree(space));
  }

  @Override
  public synchronized Map<DocumentKey, String> leafDigests(String space, int leaf, int limit) {
    return inTransaction(() -> digests.leaf(space, leaf, limit));
  }

  @Override
  public synchronized DigestRepair applyDigestRepair(
      String space, List<MessageParts.SnapshotDoc> docs) {
    return inTransaction(
        () -> {
          DigestRepair repair =
              digests.repair(
                  space,
                  docs,
                  replicaId,
                  MetaTable.get(db, ReplicaLineage.PREDECESSOR),
                  nextSeq,
                  clock,
                  wallMillis.getAsLong());
          nextSeq += repair.repushed();
          return repair;
        });
  }

  @Override
  public synchronized void dropReread(DocumentKey key) {
    inTransaction(() -> rereads.remove(key));
  }

  @Override
  public synchronized Optional<RejectedChange> replaceUnsendable(
      long seq, String code, String message) {
    return inTransaction(
        () -> quarantine.unsendable(seq, replicaId, code, message, wallMillis.getAsLong()));
  }

  @Override
  public synchronized List<RejectedChange> rejected() {
    return inTransaction(rejectedTable::all);
  }

  @Override
  public synchronized StatusCounts statusCounts(List<String> asked) {
    return inLazyTransaction(
        () -> {
          Map<String, Long> cursors = new HashMap<>();
          Set<String> snapshotting = new HashSet<>();
          for (String space : asked) {
            cursors.put(space, spaces.cursor(space));
            if (spaces.snapshotInProgress(space)) {
              snapshotting.add(space);
            }
          }
          return new StatusCounts(
              outbox.changeCount(), rejectedTable.count(), cursors, snapshotting);
        });
  }

  @Override
  public synchronized long rejectedCount() {
    // No stored state read: the status asks after every write, which must not fold what waits.
    return inLazyTransaction(rejectedTable::count);
  }

  @Override
  public synchronized boolean dismissRejected(long id) {
    return inTransaction(() -> rejectedTable.dismiss(id));
  }

  @Override
  public synchronized Purge purgeSpace(String space) {
    Purge purged = inTransaction(() -> purge.purge(space, replicaId, wallMillis.getAsLong()));
    if (purged.rekeyed()) {
      rekey("space " + space + " purged", Redelivery.SENT_ROWS);
    }
    return purged;
  }

  @Override
  public synchronized Purge unsubscribeSpace(String space) {
    Purge purged = inTransaction(() -> purge.purge(space, replicaId, wallMillis.getAsLong(), true));
    if (purged.rekeyed()) {
      rekey("space " + space + " unsubscribed", Redelivery.SENT_ROWS);
    }
    return purged;
  }

  @Override
  public synchronized Purge rejectUnsent(String space, String code, String message) {
    List<RejectedChange> moved =
        inTransaction(
            () ->
                rejectedTable.moveFromOutbox(
                    "space = ?",
                    new Object[] {space},
                    replicaId,
                    code,
                    message,
                    wallMillis.getAsLong()));
    if (!moved.isEmpty()) {
      // Removed seqs would leave a hole (seq_gap): a new id renumbers the rows left.
      rekey("unsent changes of space " + space + " refused", Redelivery.SENT_ROWS);
    }
    return new Purge(List.of(), moved, !moved.isEmpty());
  }

  @Override
  public synchronized long pendingCount(String space) {
    return inLazyTransaction(() -> outbox.count(space));
  }

  @Override
  public synchronized ReplicaInfo rekey(String reason, Redelivery redelivery) {
    String retired = replicaId;
    ReplicaLineage.Rekeyed rekeyed =
        inTransaction(
            () -> {
              // The new id has reported no stable point: its reports start afresh.
              stablePoints.reset();
              long vouched =
                  switch (redelivery) {
                    case EVERY_ROW -> Long.MAX_VALUE;
                    case SENT_ROWS -> coalescer.sentThrough();
                    case NONE -> 0;
                  };
              ReplicaLineage.Rekeyed fresh = lineage.rekey(retired, rekeys, reason, vouched);
              // Renumbered rows name the new id and seq: their push-ready text is rewritten, and
              // none was sent under the new id.
              outbox.respliceAll(fresh.replicaId());
              coalescer.reset();
              return fresh;
            });
    LOG.warn(
        "replica {} re-keyed to {} ({}); {} unsent changes renumbered",
        retired,
        rekeyed.replicaId(),
        reason,
        rekeyed.nextSeq() - 1);
    replicaId = rekeyed.replicaId();
    nextSeq = rekeyed.nextSeq();
    rekeys++;
    return replica();
  }

  @Override
  public synchronized Optional<String> predecessor() {
    return inTransaction(lineage::predecessorToDeclare);
  }

  @Override
  public synchronized List<String> olderPredecessors() {
    return inLazyTransaction(lineage::olderToDeclare);
  }

  @Override
  public synchronized void dropPredecessor() {
    inTransaction(
        () -> {
          lineage.drop();
          return null;
        });
  }

  @Override
  public synchronized List<String> documentIds(
      String space, String collection, String afterDocId, int limit) {
    return inTransaction(() -> queries.ids(space, collection, afterDocId, limit));
  }

  @Override
  public synchronized List<StoredDocument> query(CollectionQuery query) {
    return inTransaction(() -> queries.run(query));
  }

  @Override
  public synchronized List<String> spacesHeld() {
    return inTransaction(spaces::held);
  }

  @Override
  public Path file() {
    return db.file();
  }

  @Override
  public synchronized void close() {
    try {
      // Not needed for safety (an open folds what waits), only to leave the file tidy.
      inTransaction(() -> null);
    } catch (RuntimeException e) {
      LOG.warn("could not fold the waiting local writes at close; the next open will", e);
    }
    db.close();
  }
}
