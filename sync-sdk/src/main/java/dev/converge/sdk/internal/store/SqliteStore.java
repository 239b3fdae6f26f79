package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.crdt.ReplicaIds;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
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
 * <p>Thread-safe.
 */
public final class SqliteStore implements Store {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

  /** Schema migrations; index i brings the schema from version i to i + 1. Append only. */
  private static final List<String[]> MIGRATIONS =
      List.<String[]>of(
          new String[] {
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
            "CREATE TABLE documents (space TEXT NOT NULL, collection TEXT NOT NULL, doc_id TEXT NOT NULL,"
                + " state TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (space, collection, doc_id))"
                + " WITHOUT ROWID",
            "CREATE TABLE outbox (seq INTEGER PRIMARY KEY, space TEXT NOT NULL, collection TEXT NOT NULL,"
                + " doc_id TEXT NOT NULL, hlc TEXT NOT NULL, delta TEXT NOT NULL, created_at INTEGER NOT NULL)",
            "CREATE INDEX outbox_by_space ON outbox (space)",
            "CREATE TABLE rejected (id INTEGER PRIMARY KEY AUTOINCREMENT, replica_id TEXT NOT NULL,"
                + " seq INTEGER NOT NULL, space TEXT NOT NULL, collection TEXT NOT NULL, doc_id TEXT NOT NULL,"
                + " delta TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, rejected_at INTEGER NOT NULL)",
            "CREATE TABLE spaces (space TEXT PRIMARY KEY, cursor INTEGER NOT NULL DEFAULT 0,"
                + " snapshot_active INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID"
          });

  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = MIGRATIONS.size();

  private final Connection connection;
  private final ProtocolCodec codec;
  private final LongSupplier wallMillis;
  private final PushLimits pushLimits;
  private final HybridClock clock;
  private final ReplicaLineage lineage;
  private String replicaId;
  private long nextSeq;
  private long rekeys;

  private SqliteStore(
      Connection connection,
      ProtocolCodec codec,
      LongSupplier wallMillis,
      Duration maxClockOffset,
      Path file)
      throws SQLException {
    this.connection = connection;
    this.codec = codec;
    this.wallMillis = wallMillis;
    this.lineage = new ReplicaLineage(connection);
    this.pushLimits = new PushLimits(codec);
    migrate();
    inTransaction(
        () -> {
          if (meta("replica_id") == null) {
            putMeta("replica_id", ReplicaIds.random());
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
    Connection connection = null;
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement st = connection.createStatement()) {
        st.execute("PRAGMA busy_timeout = 2000");
        st.execute("PRAGMA locking_mode = EXCLUSIVE");
        try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
          if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
            throw new SQLException("could not switch the journal to WAL mode");
          }
        }
        st.execute("PRAGMA synchronous = " + (synchronousFull ? "FULL" : "NORMAL"));
        st.execute("PRAGMA foreign_keys = ON");
      }
      connection.setAutoCommit(false);
      return new SqliteStore(connection, codec, wallMillis, maxClockOffset, file);
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

  // ---- schema and meta -----------------------------------------------------------------------

  private void migrate() throws SQLException {
    int version;
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA user_version")) {
      version = rs.next() ? rs.getInt(1) : 0;
    }
    if (version > SCHEMA_VERSION) {
      throw new SQLException(
          "database schema version " + version + " is newer than this SDK's " + SCHEMA_VERSION);
    }
    for (int v = version; v < SCHEMA_VERSION; v++) {
      try (Statement st = connection.createStatement()) {
        for (String sql : MIGRATIONS.get(v)) {
          st.execute(sql);
        }
        st.execute("PRAGMA user_version = " + (v + 1));
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      }
      LOG.debug("local schema migrated to version {}", v + 1);
    }
  }

  private String meta(String key) throws SQLException {
    return MetaTable.get(connection, key);
  }

  private void putMeta(String key, String value) throws SQLException {
    MetaTable.put(connection, key, value);
  }

  /** Computes the install fingerprint of {@code file}; see the class comment. */
  static String fingerprint(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    Object fileKey = null;
    try {
      fileKey = Files.readAttributes(absolute, BasicFileAttributes.class).fileKey();
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("no file key for {}: {}", absolute, e.toString());
    }
    return absolute + "|" + (fileKey == null ? "-" : fileKey.toString());
  }

  private void checkFingerprint(Path file) throws SQLException {
    String current = fingerprint(file);
    String recorded = meta("fingerprint");
    if (recorded == null) {
      inTransaction(
          () -> {
            putMeta("fingerprint", current);
            return null;
          });
    } else if (!recorded.equals(current)) {
      LOG.warn(
          "local database {} is a copy or a restored backup (fingerprint changed); taking a new replica id",
          file);
      rekey("database file copied or restored");
      inTransaction(
          () -> {
            putMeta("fingerprint", current);
            return null;
          });
    }
  }

  // ---- transactions --------------------------------------------------------------------------

  private interface Work<T> {
    T run() throws SQLException;
  }

  /** Non-zero while {@link #batch} runs: transactions then join the batch's one transaction. */
  private int batchDepth;

  /**
   * Set when a statement failed inside the running batch: it must not commit, whatever the app
   * caught.
   */
  private boolean batchFailed;

  private synchronized <T> T inTransaction(Work<T> work) {
    if (batchDepth > 0) {
      try {
        return work.run();
      } catch (SQLException e) {
        batchFailed = true;
        throw new StoreException("local database failure: " + e.getMessage(), e);
      }
    }
    long seqBefore = nextSeq;
    try {
      T result = work.run();
      connection.commit();
      return result;
    } catch (SQLException e) {
      rollbackQuietly();
      nextSeq = seqBefore;
      throw new StoreException("local database failure: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      rollbackQuietly();
      nextSeq = seqBefore;
      throw e;
    }
  }

  @Override
  public synchronized void batch(Runnable writes) {
    if (batchDepth > 0) {
      writes.run();
      return;
    }
    batchDepth++;
    batchFailed = false;
    long seqBefore = nextSeq;
    try {
      writes.run();
      if (batchFailed) {
        throw new StoreException(
            "a write inside the batch failed; nothing of the batch was kept", null);
      }
      batchDepth--;
      connection.commit();
    } catch (SQLException e) {
      batchDepth = 0;
      rollbackQuietly();
      nextSeq = seqBefore;
      throw new StoreException("local database failure: " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      batchDepth = 0;
      rollbackQuietly();
      // Seqs handed out inside the rolled-back batch are free again: the outbox stays gapless.
      nextSeq = seqBefore;
      throw e;
    }
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      LOG.warn("rollback failed", e);
    }
  }

  // ---- documents -----------------------------------------------------------------------------

  @Override
  public synchronized ReplicaInfo replica() {
    return new ReplicaInfo(replicaId, nextSeq, rekeys);
  }

  @Override
  public synchronized Optional<Document> read(DocumentKey key) {
    return inTransaction(
        () -> {
          String stored = loadState(key);
          return stored == null ? Optional.<Document>empty() : Optional.of(decode(key, stored));
        });
  }

  /**
   * Decoded states of recently used documents, each with the exact text it was decoded from or
   * encoded to. An entry is used only while the stored text equals its text, so a rolled-back
   * transaction, a purge or another writer can never make it serve a stale state.
   */
  private final Map<DocumentKey, CachedState> decoded =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<DocumentKey, CachedState> eldest) {
          return size() > 64;
        }
      };

  private record CachedState(String text, Document document) {}

  /** Returns a private, mutable copy of the document stored as {@code stored}. */
  private Document decode(DocumentKey key, String stored) {
    CachedState cached = decoded.get(key);
    if (cached != null && cached.text().equals(stored)) {
      return cached.document().copy();
    }
    // Stored states grow by joins past what one message may carry: never decode them with input
    // limits.
    Document document = codec.forStoredData().decodeDocument(stored);
    decoded.put(key, new CachedState(stored, document.copy()));
    return document;
  }

  /**
   * Remembers that {@code text} encodes {@code document}; the caller must not change it afterwards.
   */
  private void remember(DocumentKey key, String text, Document document) {
    decoded.put(key, new CachedState(text, document));
  }

  private String loadState(DocumentKey key) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT state FROM documents WHERE space = ? AND collection = ? AND doc_id = ?")) {
      bindKey(ps, 1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private void saveState(DocumentKey key, String state) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO documents (space, collection, doc_id, state, updated_at) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (space, collection, doc_id) DO UPDATE SET state = excluded.state,"
                + " updated_at = excluded.updated_at")) {
      bindKey(ps, 1, key);
      ps.setString(4, state);
      ps.setLong(5, wallMillis.getAsLong());
      ps.executeUpdate();
    }
  }

  private static void bindKey(PreparedStatement ps, int first, DocumentKey key)
      throws SQLException {
    ps.setString(first, key.space());
    ps.setString(first + 1, key.collection());
    ps.setString(first + 2, key.docId());
  }

  @Override
  public synchronized Optional<OutboxRow> writeLocal(DocumentKey key, LocalMutation mutation) {
    return inTransaction(
        () -> {
          String stored = loadState(key);
          Document document = stored == null ? new Document() : decode(key, stored);
          Hlc hlc = clock.now();
          Document delta = mutation.apply(document, replicaId, hlc);
          if (delta.isEmpty()) {
            return Optional.<OutboxRow>empty();
          }
          // Before anything is saved: a change the push could never carry must not reach the
          // outbox.
          pushLimits.check(
              new Changeset(
                  replicaId, nextSeq, key.space(), key.collection(), key.docId(), hlc, delta));
          String state = codec.encodeDocument(document);
          saveState(key, state);
          remember(key, state, document);
          String deltaJson = codec.encodeDocument(delta);
          long seq = nextSeq;
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO outbox (seq, space, collection, doc_id, hlc, delta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, seq);
            bindKey(ps, 2, key);
            ps.setString(5, hlc.toString());
            ps.setString(6, deltaJson);
            ps.setLong(7, wallMillis.getAsLong());
            ps.executeUpdate();
          }
          putMeta("next_seq", Long.toString(seq + 1));
          putMeta("hlc", hlc.toString());
          nextSeq = seq + 1;
          return Optional.of(new OutboxRow(seq, key, hlc.toString(), deltaJson));
        });
  }

  @Override
  public synchronized List<DocumentKey> applyChanges(
      String space, long to, List<Message.ChangeItem> items) {
    return inTransaction(
        () -> {
          Map<DocumentKey, Document> touched = new LinkedHashMap<>();
          Map<DocumentKey, String> original = new HashMap<>();
          for (Message.ChangeItem item : items) {
            DocumentKey key = new DocumentKey(space, item.collection(), item.docId());
            joinInto(touched, original, key, item.delta());
          }
          List<DocumentKey> changed = saveChanged(touched, original);
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO spaces (space, cursor) VALUES (?, ?) ON CONFLICT (space) DO UPDATE SET"
                      + " cursor = max(cursor, excluded.cursor)")) {
            ps.setString(1, space);
            ps.setLong(2, to);
            ps.executeUpdate();
          }
          return changed;
        });
  }

  @Override
  public synchronized List<DocumentKey> applySnapshotPage(
      String space, List<Message.SnapshotDoc> docs) {
    return inTransaction(
        () -> {
          Map<DocumentKey, Document> touched = new LinkedHashMap<>();
          Map<DocumentKey, String> original = new HashMap<>();
          for (Message.SnapshotDoc doc : docs) {
            joinInto(
                touched,
                original,
                new DocumentKey(space, doc.collection(), doc.docId()),
                doc.state());
          }
          List<DocumentKey> changed = saveChanged(touched, original);
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO spaces (space, cursor, snapshot_active) VALUES (?, 0, 1) ON CONFLICT (space) DO UPDATE SET"
                      + " snapshot_active = 1")) {
            ps.setString(1, space);
            ps.executeUpdate();
          }
          return changed;
        });
  }

  private void joinInto(
      Map<DocumentKey, Document> touched,
      Map<DocumentKey, String> original,
      DocumentKey key,
      Document remote)
      throws SQLException {
    Document local = touched.get(key);
    if (local == null) {
      String stored = loadState(key);
      original.put(key, stored);
      local = stored == null ? new Document() : decode(key, stored);
      touched.put(key, local);
    }
    // Local writes must order after every write seen, so the clock moves past remote timestamps.
    Hlc remoteHlc = remote.maxHlc();
    if (remoteHlc.compareTo(Hlc.ZERO) > 0) {
      clock.observe(remoteHlc);
    }
    local.join(remote);
  }

  private List<DocumentKey> saveChanged(
      Map<DocumentKey, Document> touched, Map<DocumentKey, String> original) throws SQLException {
    List<DocumentKey> changed = new ArrayList<>();
    for (Map.Entry<DocumentKey, Document> entry : touched.entrySet()) {
      String encoded = codec.encodeDocument(entry.getValue());
      // Encodings are canonical, so equal text means the join changed nothing (an own echo).
      if (!encoded.equals(original.get(entry.getKey()))) {
        saveState(entry.getKey(), encoded);
        remember(entry.getKey(), encoded, entry.getValue());
        changed.add(entry.getKey());
      }
    }
    return changed;
  }

  @Override
  public synchronized void finishSnapshot(String space, long head) {
    inTransaction(
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO spaces (space, cursor, snapshot_active) VALUES (?, ?, 0) ON CONFLICT (space) DO UPDATE SET"
                      // Exactly head: a cursor above it (the server's log was reset) would skip its
                      // next changes.
                      + " cursor = excluded.cursor, snapshot_active = 0")) {
            ps.setString(1, space);
            ps.setLong(2, head);
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public synchronized long cursor(String space) {
    return inTransaction(() -> queryLong("SELECT cursor FROM spaces WHERE space = ?", space));
  }

  @Override
  public synchronized boolean snapshotInProgress(String space) {
    return inTransaction(
        () -> queryLong("SELECT snapshot_active FROM spaces WHERE space = ?", space) != 0);
  }

  private long queryLong(String sql, String arg) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      if (arg != null) {
        ps.setString(1, arg);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  // ---- outbox --------------------------------------------------------------------------------

  @Override
  public synchronized List<OutboxRow> outbox(long afterSeq, int limit) {
    return inTransaction(
        () -> {
          List<OutboxRow> rows = new ArrayList<>();
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "SELECT seq, space, collection, doc_id, hlc, delta FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?")) {
            ps.setLong(1, afterSeq);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                rows.add(
                    new OutboxRow(
                        rs.getLong(1),
                        new DocumentKey(rs.getString(2), rs.getString(3), rs.getString(4)),
                        rs.getString(5),
                        rs.getString(6)));
              }
            }
          }
          return rows;
        });
  }

  @Override
  public synchronized long pendingCount() {
    return inTransaction(() -> queryLong("SELECT count(*) FROM outbox", null));
  }

  @Override
  public synchronized long firstPendingSeq() {
    return inTransaction(() -> queryLong("SELECT coalesce(min(seq), 0) FROM outbox", null));
  }

  @Override
  public synchronized int ack(long upToSeq) {
    return inTransaction(
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement("DELETE FROM outbox WHERE seq <= ?")) {
            ps.setLong(1, upToSeq);
            return ps.executeUpdate();
          }
        });
  }

  @Override
  public synchronized Optional<RejectedChange> quarantine(long seq, String code, String message) {
    return inTransaction(
        () -> {
          List<RejectedChange> moved =
              moveToRejected("seq = ?", ps -> ps.setLong(1, seq), code, message);
          return moved.stream().findFirst();
        });
  }

  @Override
  public synchronized Optional<RejectedChange> replaceUnsendable(
      long seq, String code, String message) {
    return inTransaction(
        () -> {
          Optional<RejectedChange> moved =
              moveToRejected("seq = ?", ps -> ps.setLong(1, seq), code, message).stream()
                  .findFirst();
          if (moved.isPresent()) {
            RejectedChange row = moved.get();
            try (PreparedStatement ps =
                connection.prepareStatement(
                    "INSERT INTO outbox (seq, space, collection, doc_id, hlc, delta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
              ps.setLong(1, seq);
              bindKey(ps, 2, row.key());
              ps.setString(5, Hlc.ZERO.toString());
              ps.setString(6, codec.encodeDocument(new Document()));
              ps.setLong(7, wallMillis.getAsLong());
              ps.executeUpdate();
            }
          }
          return moved;
        });
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private List<RejectedChange> moveToRejected(
      String where, Binder binder, String code, String message) throws SQLException {
    List<OutboxRow> rows = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT seq, space, collection, doc_id, hlc, delta FROM outbox WHERE "
                + where
                + " ORDER BY seq")) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new OutboxRow(
                  rs.getLong(1),
                  new DocumentKey(rs.getString(2), rs.getString(3), rs.getString(4)),
                  rs.getString(5),
                  rs.getString(6)));
        }
      }
    }
    List<RejectedChange> result = new ArrayList<>();
    long now = wallMillis.getAsLong();
    for (OutboxRow row : rows) {
      long id;
      try (PreparedStatement ps =
          connection.prepareStatement(
              "INSERT INTO rejected (replica_id, seq, space, collection, doc_id, delta, code, message, rejected_at)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, replicaId);
        ps.setLong(2, row.seq());
        bindKey(ps, 3, row.key());
        ps.setString(6, row.deltaJson());
        ps.setString(7, code);
        ps.setString(8, message);
        ps.setLong(9, now);
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          keys.next();
          id = keys.getLong(1);
        }
      }
      try (PreparedStatement ps = connection.prepareStatement("DELETE FROM outbox WHERE seq = ?")) {
        ps.setLong(1, row.seq());
        ps.executeUpdate();
      }
      result.add(
          new RejectedChange(
              id, row.key(), row.seq(), code, message, row.deltaJson(), Instant.ofEpochMilli(now)));
    }
    return result;
  }

  @Override
  public synchronized List<RejectedChange> rejected() {
    return inTransaction(
        () -> {
          List<RejectedChange> result = new ArrayList<>();
          try (PreparedStatement ps =
                  connection.prepareStatement(
                      "SELECT id, space, collection, doc_id, seq, code, message, delta, rejected_at FROM rejected ORDER BY id");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              result.add(
                  new RejectedChange(
                      rs.getLong(1),
                      new DocumentKey(rs.getString(2), rs.getString(3), rs.getString(4)),
                      rs.getLong(5),
                      rs.getString(6),
                      rs.getString(7),
                      rs.getString(8),
                      Instant.ofEpochMilli(rs.getLong(9))));
            }
          }
          return result;
        });
  }

  @Override
  public synchronized long rejectedCount() {
    return inTransaction(() -> queryLong("SELECT count(*) FROM rejected", null));
  }

  @Override
  public synchronized boolean dismissRejected(long id) {
    return inTransaction(
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement("DELETE FROM rejected WHERE id = ?")) {
            ps.setLong(1, id);
            return ps.executeUpdate() > 0;
          }
        });
  }

  // ---- spaces and identity -------------------------------------------------------------------

  @Override
  public synchronized Purge purgeSpace(String space) {
    boolean[] forgetsOwnDots = {false};
    Purge purge =
        inTransaction(
            () -> {
              forgetsOwnDots[0] = lineage.spaceMayHoldDotsOf(space, replicaId);
              List<DocumentKey> docs = new ArrayList<>();
              try (PreparedStatement ps =
                  connection.prepareStatement(
                      "SELECT collection, doc_id FROM documents WHERE space = ? ORDER BY collection, doc_id")) {
                ps.setString(1, space);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    docs.add(new DocumentKey(space, rs.getString(1), rs.getString(2)));
                  }
                }
              }
              for (String sql :
                  new String[] {
                    "DELETE FROM documents WHERE space = ?", "DELETE FROM spaces WHERE space = ?"
                  }) {
                try (PreparedStatement ps = connection.prepareStatement(sql)) {
                  ps.setString(1, space);
                  ps.executeUpdate();
                }
              }
              List<RejectedChange> rejected =
                  moveToRejected(
                      "space = ?",
                      ps -> ps.setString(1, space),
                      "revoked",
                      "access to space '" + space + "' was revoked");
              return new Purge(docs, rejected, false);
            });
    if (!purge.rejected().isEmpty() || forgetsOwnDots[0]) {
      // Dots are numbered per document from what its context remembers: once its documents are
      // gone,
      // this id would mint dots it already used (the server would drop or mis-join them). Removed
      // seqs would also leave a hole (seq_gap). Retiring the id avoids both; unsent rows are kept.
      rekey("space " + space + " purged");
      return new Purge(purge.documents(), purge.rejected(), true);
    }
    return purge;
  }

  @Override
  public synchronized ReplicaInfo rekey(String reason) {
    String retired = replicaId;
    ReplicaLineage.Rekeyed rekeyed = inTransaction(() -> lineage.rekey(retired, rekeys, reason));
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
