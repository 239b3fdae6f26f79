package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.crdt.ReplicaIds;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store} on one SQLite file through sqlite-jdbc: WAL journal, one connection held in
 * exclusive locking mode (a second client on the same file fails fast instead of sharing the
 * replica id), every method one transaction under this object's monitor.
 *
 * <p><b>Restored-backup detection.</b> The store records an <i>install fingerprint</i>: the file's
 * absolute path and its file-system identity (device and inode where the platform reports them).
 * SQLite writes its file in place, so the fingerprint stays while the file lives where it was
 * created; a copy to another device, a restore from a backup or a move gets a new inode or path. On
 * open, a mismatch means another copy of this database may be using the same replica id, so the
 * store re-keys (new replica id, unsent changes renumbered from 1): both copies then make distinct
 * dots and seqs. Unsent changes the copies share carry the same content on both, and re-sending
 * them under the new id is a harmless duplicate join. A false alarm (say, the app moved its data
 * directory) only costs one more replica id in version vectors.
 *
 * <p>The tables each have their class over the one connection ({@link DocumentTable}, {@link
 * OutboxTable}, {@link RejectedTable}, {@link SpaceTable}, {@code meta} with {@link
 * ReplicaLineage}, {@link SpacePurge}); this class owns the transactions and the replica's
 * identity.
 *
 * <p>Thread-safe: every method runs under this object's monitor, the lock {@code
 * dev.converge.sdk.internal.engine.CommitOrder} documents.
 */
public final class SqliteStore implements Store {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = StoreSchema.VERSION;

  private final Connection connection;
  private final ProtocolCodec codec;
  private final LongSupplier wallMillis;
  private final PushLimits pushLimits;
  private final HybridClock clock;
  private final ReplicaLineage lineage;
  private final DocumentTable documents;
  private final OutboxTable outbox;
  private final RejectedTable rejectedTable;
  private final RereadTable rereads;
  private final SpaceTable spaces;
  private final SpacePurge purge;
  private final StablePoints stablePoints;
  private final Transactions transactions;
  private String replicaId;
  private long nextSeq;
  private long rekeys;

  private SqliteStore(
      Connection connection,
      ProtocolCodec codec,
      LongSupplier wallMillis,
      Duration maxClockOffset,
      Path file,
      Supplier<String> newReplicaIds)
      throws SQLException {
    this.connection = connection;
    this.codec = codec;
    this.wallMillis = wallMillis;
    this.lineage = new ReplicaLineage(connection, newReplicaIds);
    this.pushLimits = new PushLimits(codec);
    this.documents = new DocumentTable(connection, codec, wallMillis);
    this.outbox = new OutboxTable(connection, codec);
    this.rejectedTable = new RejectedTable(connection, outbox);
    this.rereads = new RereadTable(connection, codec, documents, outbox);
    this.spaces = new SpaceTable(connection);
    this.purge = new SpacePurge(documents, spaces, rejectedTable, lineage);
    this.stablePoints = new StablePoints(connection);
    this.transactions = new Transactions(connection, () -> nextSeq, seq -> nextSeq = seq);
    StoreSchema.migrate(connection, codec);
    inTransaction(
        () -> {
          if (meta("replica_id") == null) {
            putMeta("replica_id", newReplicaIds.get());
            putMeta("next_seq", "1");
            putMeta("hlc", Hlc.ZERO.toString());
            putMeta("rekeys", "0");
            putMeta("created_at", Long.toString(wallMillis.getAsLong()));
          }
          lineage.upgrade();
          return null;
        });
    this.replicaId = meta("replica_id");
    this.nextSeq = Long.parseLong(meta("next_seq"));
    this.rekeys = Long.parseLong(meta("rekeys"));
    // A timestamp persisted beyond physical time + the offset (a poisoned clock) is clamped here.
    this.clock = new HybridClock(wallMillis, maxClockOffset, Hlc.parse(meta("hlc")));
    checkFingerprint(file);
  }

  /**
   * Opens (creating if needed) the store at {@code file}, its clock bounded by {@link
   * HybridClock#DEFAULT_MAX_OFFSET}.
   *
   * @see #open(Path, ProtocolCodec, LongSupplier, boolean, Duration)
   */
  public static SqliteStore open(
      Path file, ProtocolCodec codec, LongSupplier wallMillis, boolean synchronousFull) {
    return open(file, codec, wallMillis, synchronousFull, HybridClock.DEFAULT_MAX_OFFSET);
  }

  /**
   * Opens (creating if needed) the store at {@code file}.
   *
   * @param wallMillis the wall clock for HLC timestamps and row times
   * @param synchronousFull whether every commit waits for the disk (survives OS crashes) rather
   *     than only for the WAL write (survives application crashes)
   * @param maxClockOffset the greatest lead over {@code wallMillis} a remote timestamp can give the
   *     clock (see {@link HybridClock})
   * @throws StoreException if the file cannot be opened, is in use by another client, or has a
   *     newer schema
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
   * Opens (creating if needed) the store at {@code file}, drawing new replica ids (the first one
   * and each re-key's) from {@code newReplicaIds}: a deterministic simulation passes a seeded
   * source so that a run replays exactly; everything else uses {@link ReplicaIds#random()}.
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
    Connection connection = null;
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      StoreSchema.configure(connection, synchronousFull);
      return new SqliteStore(connection, codec, wallMillis, maxClockOffset, file, newReplicaIds);
    } catch (SQLException | IOException e) {
      closeQuietly(connection);
      String hint =
          e.getMessage() != null && e.getMessage().contains("SQLITE_BUSY")
              ? " (is another client using this file?)"
              : "";
      throw new StoreException(
          "cannot open the local database " + file + hint + ": " + e.getMessage(), e);
    }
  }

  // ---- meta and fingerprint ------------------------------------------------------------------

  private String meta(String key) throws SQLException {
    return MetaTable.get(connection, key);
  }

  private void putMeta(String key, String value) throws SQLException {
    MetaTable.put(connection, key, value);
  }

  /** Computes the install fingerprint of {@code file}; see the class comment. */
  static String fingerprint(Path file) {
    return InstallFingerprint.of(file);
  }

  private void checkFingerprint(Path file) throws SQLException {
    String current = fingerprint(file);
    String recorded = meta(InstallFingerprint.KEY);
    if (recorded == null) {
      inTransaction(
          () -> {
            putMeta(InstallFingerprint.KEY, current);
            return null;
          });
    } else if (!recorded.equals(current)) {
      LOG.warn(
          "local database {} is a copy or a restored backup (fingerprint changed); taking a new replica id",
          file);
      rekey("database file copied or restored");
      inTransaction(
          () -> {
            putMeta(InstallFingerprint.KEY, current);
            return null;
          });
    }
  }

  // ---- transactions --------------------------------------------------------------------------

  private synchronized <T> T inTransaction(Transactions.Work<T> work) {
    return transactions.run(work);
  }

  @Override
  public synchronized void batch(Runnable writes) {
    transactions.batch(writes);
  }

  // ---- documents -----------------------------------------------------------------------------

  @Override
  public synchronized ReplicaInfo replica() {
    return new ReplicaInfo(replicaId, nextSeq, rekeys);
  }

  @Override
  public synchronized Optional<Document> read(DocumentKey key) {
    return inTransaction(() -> Optional.ofNullable(documents.load(key)));
  }

  @Override
  public synchronized Optional<OutboxRow> writeLocal(DocumentKey key, LocalMutation mutation) {
    return inTransaction(
        () -> {
          Document document = documents.load(key);
          document = document == null ? new Document() : document;
          Hlc hlc = clock.now();
          Document delta = mutation.apply(document, replicaId, hlc);
          if (delta.isEmpty()) {
            return Optional.<OutboxRow>empty();
          }
          // Encoded once: the delta's text is spliced into the push-ready changeset.
          long seq = nextSeq;
          String deltaJson = codec.encodeDocument(delta);
          String changesetJson = outbox.encode(replicaId, seq, key, hlc.toString(), deltaJson);
          // Before anything is saved: a change the push could never carry must not reach the
          // outbox.
          pushLimits.check(changesetJson);
          documents.save(key, document);
          // The document was read in this transaction: its context holds every change up to the
          // cursor read in it too (changes and cursor commit together).
          long cursorAtWrite = spaces.cursor(key.space());
          OutboxRow row =
              outbox.insert(
                  seq,
                  key,
                  hlc.toString(),
                  deltaJson,
                  changesetJson,
                  wallMillis.getAsLong(),
                  cursorAtWrite);
          putMeta("next_seq", Long.toString(seq + 1));
          putMeta("hlc", hlc.toString());
          nextSeq = seq + 1;
          return Optional.of(row);
        });
  }

  @Override
  public synchronized List<DocumentKey> applyChanges(
      String space, long to, List<Message.ChangeItem> items) {
    return inTransaction(
        () -> {
          Map<DocumentKey, List<Document>> deltas = new LinkedHashMap<>();
          for (Message.ChangeItem item : items) {
            deltas
                .computeIfAbsent(
                    new DocumentKey(space, item.collection(), item.docId()), k -> new ArrayList<>())
                .add(item.delta().document());
          }
          List<DocumentKey> changed = documents.join(deltas, clock);
          spaces.advance(space, to);
          return changed;
        });
  }

  @Override
  public synchronized List<DocumentKey> applySnapshotPage(
      String space, List<Message.SnapshotDoc> docs) {
    return inTransaction(
        () -> {
          Map<DocumentKey, List<Document>> states = new LinkedHashMap<>();
          for (Message.SnapshotDoc doc : docs) {
            states
                .computeIfAbsent(
                    new DocumentKey(space, doc.collection(), doc.docId()), k -> new ArrayList<>())
                .add(doc.state().document());
          }
          List<DocumentKey> changed = documents.join(states, clock);
          spaces.beginSnapshot(space);
          return changed;
        });
  }

  @Override
  public synchronized void finishSnapshot(String space, long head) {
    inTransaction(
        () -> {
          spaces.finishSnapshot(space, head);
          stablePoints.clampWrites(space, head);
          return null;
        });
  }

  @Override
  public synchronized long cursor(String space) {
    return inTransaction(() -> spaces.cursor(space));
  }

  @Override
  public synchronized boolean snapshotInProgress(String space) {
    return inTransaction(() -> spaces.snapshotInProgress(space));
  }

  @Override
  public synchronized OptionalLong stablePoint(String space) {
    return inTransaction(() -> stablePoints.toReport(space));
  }

  @Override
  public synchronized void stableReported(Map<String, Long> points) {
    inTransaction(
        () -> {
          for (Map.Entry<String, Long> point : points.entrySet()) {
            stablePoints.reported(point.getKey(), point.getValue());
          }
          return null;
        });
  }

  // ---- outbox and rejected changes -----------------------------------------------------------

  @Override
  public synchronized List<OutboxRow> outbox(long afterSeq, int limit) {
    return inTransaction(() -> outbox.after(afterSeq, limit, replicaId));
  }

  @Override
  public synchronized long pendingCount() {
    return inTransaction(outbox::count);
  }

  @Override
  public synchronized long firstPendingSeq() {
    return inTransaction(outbox::firstSeq);
  }

  @Override
  public synchronized int ack(long upToSeq) {
    return inTransaction(() -> outbox.deleteUpTo(upToSeq));
  }

  @Override
  public synchronized Optional<RejectedChange> quarantine(long seq, String code, String message) {
    return inTransaction(
        () -> {
          Optional<RejectedChange> moved = reject(seq, code, message);
          if (moved.isPresent()) {
            // The refused change may have superseded values here that only the server's state
            // restores.
            rereads.add(moved.get().key());
          }
          if (moved.isPresent() && ErrorCode.DOT_FORGED.wire().equals(code)) {
            // The server's context-only entry cannot drop another replica's values: done here.
            Document drop =
                ForeignDots.of(
                    codec.forStoredData().decodeDocument(moved.get().deltaJson()), replicaId);
            if (!drop.context().isEmpty()) {
              documents.join(Map.of(moved.get().key(), List.of(drop)), clock);
            }
          }
          return moved;
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
  public synchronized List<DocumentKey> applyRereads(String space, List<Message.SnapshotDoc> docs) {
    return inTransaction(() -> rereads.apply(space, docs, clock));
  }

  @Override
  public synchronized void dropReread(DocumentKey key) {
    inTransaction(() -> rereads.remove(key));
  }

  @Override
  public synchronized Optional<RejectedChange> replaceUnsendable(
      long seq, String code, String message) {
    return inTransaction(
        () -> {
          Optional<RejectedChange> moved = reject(seq, code, message);
          if (moved.isPresent()) {
            // An empty change has no context: it holds back no stable point, so the cursor now.
            DocumentKey key = moved.get().key();
            String empty = codec.encodeDocument(new Document());
            outbox.insert(
                seq,
                key,
                Hlc.ZERO.toString(),
                empty,
                outbox.encode(replicaId, seq, key, Hlc.ZERO.toString(), empty),
                wallMillis.getAsLong(),
                spaces.cursor(key.space()));
          }
          return moved;
        });
  }

  private Optional<RejectedChange> reject(long seq, String code, String message)
      throws SQLException {
    return rejectedTable
        .moveFromOutbox(
            "seq = ?", ps -> ps.setLong(1, seq), replicaId, code, message, wallMillis.getAsLong())
        .stream()
        .findFirst();
  }

  @Override
  public synchronized List<RejectedChange> rejected() {
    return inTransaction(rejectedTable::all);
  }

  @Override
  public synchronized long rejectedCount() {
    return inTransaction(rejectedTable::count);
  }

  @Override
  public synchronized boolean dismissRejected(long id) {
    return inTransaction(() -> rejectedTable.dismiss(id));
  }

  // ---- spaces and identity -------------------------------------------------------------------

  @Override
  public synchronized Purge purgeSpace(String space) {
    boolean[] forgetsOwnDots = {false};
    Purge purged =
        inTransaction(
            () -> {
              forgetsOwnDots[0] = purge.forgetsOwnDots(space, replicaId);
              rereads.deleteSpace(space);
              return purge.purge(space, replicaId, wallMillis.getAsLong());
            });
    if (!purged.rejected().isEmpty() || forgetsOwnDots[0]) {
      // Dots are numbered per document from what its context remembers: once its documents are
      // gone, this id would mint dots it already used (the server would drop or mis-join them).
      // Removed seqs would also leave a hole (seq_gap). Retiring the id avoids both; unsent rows
      // are kept.
      rekey("space " + space + " purged");
      return new Purge(purged.documents(), purged.rejected(), true);
    }
    return purged;
  }

  @Override
  public synchronized ReplicaInfo rekey(String reason) {
    String retired = replicaId;
    ReplicaLineage.Rekeyed rekeyed =
        inTransaction(
            () -> {
              // The new id has reported no stable point: its reports start afresh.
              stablePoints.reset();
              ReplicaLineage.Rekeyed fresh = lineage.rekey(retired, rekeys, reason);
              // Renumbered rows name the new id and seq: their push-ready text is rewritten.
              outbox.respliceAll(fresh.replicaId());
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
  public synchronized void dropPredecessor() {
    inTransaction(
        () -> {
          lineage.drop();
          return null;
        });
  }

  @Override
  public synchronized void close() {
    closeQuietly(connection);
  }

  private static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("closing the local database failed", e);
    }
  }
}
