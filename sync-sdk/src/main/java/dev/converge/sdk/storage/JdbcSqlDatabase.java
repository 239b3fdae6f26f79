package dev.converge.sdk.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SqlDatabase} of the JVM: one sqlite-jdbc connection held in exclusive locking mode (a
 * second client on the same file fails fast instead of sharing the replica id), WAL journal.
 *
 * <p>Statements are prepared once per SQL text and kept (least recently used first out, at most
 * {@link #CACHED_STATEMENTS}): the store runs the same few dozen statements over and over, and
 * preparing one costs more than running it. A statement whose rows are still being read when its
 * SQL runs again (a nested query) is not shared: the second run gets a statement of its own.
 *
 * <p>sqlite-jdbc ships native libraries for desktop and server platforms, not for Android: on a
 * phone use {@code dev.converge.sdk.android.AndroidSqlDatabase}.
 */
public final class JdbcSqlDatabase implements SqlDatabase {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcSqlDatabase.class);

  /** The most prepared statements kept open; the least recently used is closed beyond it. */
  public static final int CACHED_STATEMENTS = 96;

  private final Connection connection;
  private final Path file;

  /** Prepared statements by SQL text, in access order. */
  private final Map<String, PreparedStatement> cache = new LinkedHashMap<>(128, 0.75f, true);

  /** Statements whose rows are open: not handed out again until those rows are closed. */
  private final Set<PreparedStatement> busy = Collections.newSetFromMap(new IdentityHashMap<>());

  /** Whether a transaction {@link #begin} opened is still open. */
  private boolean inTransaction;

  private JdbcSqlDatabase(Connection connection, Path file) {
    this.connection = connection;
    this.file = file;
  }

  /** Returns an opener of the database at {@code file} (see {@link #open}). */
  public static SqlDatabase.Opener opener(Path file) {
    return synchronousFull -> open(file, synchronousFull);
  }

  /**
   * Opens (creating it and its directories if needed) the database at {@code file}.
   *
   * @param synchronousFull whether every commit waits for the disk ({@code synchronous=FULL},
   *     survives OS crashes) rather than only for the WAL write ({@code NORMAL}, survives
   *     application crashes)
   * @throws SQLException if the file cannot be opened, is in use by another client or refuses WAL
   */
  public static JdbcSqlDatabase open(Path file, boolean synchronousFull) throws SQLException {
    Path absolute = file.toAbsolutePath();
    try {
      Path parent = absolute.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new SQLException("cannot create the directory of " + absolute + ": " + e, e);
    }
    Properties properties = new Properties();
    // The driver otherwise follows every INSERT with a freshly prepared "SELECT
    // last_insert_rowid()"
    // for getGeneratedKeys, which nothing here calls (insert() asks the connection itself): 10 % of
    // a
    // batched write's time.
    properties.setProperty("jdbc.get_generated_keys", "false");
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + absolute, properties);
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
    } catch (SQLException e) {
      closeQuietly(connection);
      throw e;
    }
    return new JdbcSqlDatabase(connection, absolute);
  }

  @Override
  public int update(String sql, Object... args) throws SQLException {
    Lease lease = prepare(sql, args);
    try {
      return lease.statement.executeUpdate();
    } catch (SQLException | RuntimeException e) {
      lease.fail();
      throw e;
    } finally {
      lease.release();
    }
  }

  @Override
  public long insert(String sql, Object... args) throws SQLException {
    update(sql, args);
    // Same connection, no statement in between: the rowid of the insert above.
    try (SqlRows rs = query("SELECT last_insert_rowid()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public SqlRows query(String sql, Object... args) throws SQLException {
    Lease lease = prepare(sql, args);
    try {
      busy.add(lease.statement);
      return new Rows(lease, lease.statement.executeQuery());
    } catch (SQLException | RuntimeException e) {
      lease.fail();
      lease.release();
      throw e;
    }
  }

  @Override
  public void begin() throws SQLException {
    // Kept statements, not the driver's auto-commit switch: that costs two more statements a
    // transaction (its commit begins a new transaction, and switching back commits that one).
    update("BEGIN");
    inTransaction = true;
  }

  @Override
  public void commit() throws SQLException {
    update("COMMIT");
    inTransaction = false;
  }

  @Override
  public void rollback() throws SQLException {
    if (inTransaction) {
      inTransaction = false;
      try {
        update("ROLLBACK");
      } catch (SQLException e) {
        // SQLite rolls some failures back on its own (a full disk, say): nothing is left to undo.
        if (e.getMessage() == null || !e.getMessage().contains("no transaction is active")) {
          throw e;
        }
      }
    }
  }

  @Override
  public int userVersion() throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  @Override
  public void setUserVersion(int version) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("PRAGMA user_version = " + version);
    }
  }

  @Override
  public Path file() {
    return file;
  }

  @Override
  public void close() {
    for (PreparedStatement ps : new ArrayList<>(cache.values())) {
      closeQuietly(ps);
    }
    cache.clear();
    busy.clear();
    closeQuietly(connection);
  }

  /** Returns how many prepared statements are kept open (at most {@link #CACHED_STATEMENTS}). */
  int cachedStatements() {
    return cache.size();
  }

  /**
   * Returns a statement for {@code sql} with {@code args} bound: the kept one when it is idle, a
   * new kept one when there is none, an unkept one when the kept one's rows are still open.
   */
  private Lease prepare(String sql, Object... args) throws SQLException {
    PreparedStatement kept = cache.get(sql);
    Lease lease;
    if (kept != null && !busy.contains(kept)) {
      kept.clearParameters();
      lease = new Lease(sql, kept, true);
    } else if (kept == null) {
      PreparedStatement ps = connection.prepareStatement(sql);
      cache.put(sql, ps);
      evict();
      lease = new Lease(sql, ps, true);
    } else {
      lease = new Lease(sql, connection.prepareStatement(sql), false);
    }
    try {
      for (int i = 0; i < args.length; i++) {
        bind(lease.statement, i + 1, args[i]);
      }
    } catch (SQLException | RuntimeException e) {
      lease.fail();
      lease.release();
      throw e;
    }
    return lease;
  }

  /** Closes the least recently used idle statements beyond the bound. */
  private void evict() {
    var it = cache.entrySet().iterator();
    while (cache.size() > CACHED_STATEMENTS && it.hasNext()) {
      PreparedStatement ps = it.next().getValue();
      if (!busy.contains(ps)) {
        it.remove();
        closeQuietly(ps);
      }
    }
  }

  /** One use of a statement: kept ones go back to the cache, unkept ones are closed. */
  private final class Lease {
    final String sql;
    final PreparedStatement statement;
    private boolean kept;

    Lease(String sql, PreparedStatement statement, boolean kept) {
      this.sql = sql;
      this.statement = statement;
      this.kept = kept;
    }

    /** The statement failed: it is not kept (its state after a failure is not trusted). */
    void fail() {
      if (kept && cache.get(sql) == statement) {
        cache.remove(sql);
      }
      kept = false;
    }

    void release() {
      busy.remove(statement);
      if (kept && cache.get(sql) == statement) {
        return;
      }
      closeQuietly(statement);
    }
  }

  private static void bind(PreparedStatement ps, int index, Object arg) throws SQLException {
    if (arg == null) {
      ps.setNull(index, Types.NULL);
    } else if (arg instanceof Long value) {
      ps.setLong(index, value);
    } else if (arg instanceof Integer value) {
      ps.setLong(index, value);
    } else if (arg instanceof String value) {
      ps.setString(index, value);
    } else if (arg instanceof byte[] value) {
      ps.setBytes(index, value);
    } else {
      throw new IllegalArgumentException(
          "cannot bind a " + arg.getClass().getName() + " (Long, Integer, String or byte[])");
    }
  }

  private static void closeQuietly(PreparedStatement statement) {
    try {
      statement.close();
    } catch (SQLException e) {
      LOG.warn("closing a statement failed", e);
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("closing the local database failed", e);
    }
  }

  /** A result set and the use of the statement it came from, closed together. */
  private record Rows(Lease lease, ResultSet rs) implements SqlRows {

    @Override
    public boolean next() throws SQLException {
      return rs.next();
    }

    @Override
    public long getLong(int column) throws SQLException {
      return rs.getLong(column);
    }

    @Override
    public String getString(int column) throws SQLException {
      return rs.getString(column);
    }

    @Override
    public byte[] getBytes(int column) throws SQLException {
      return rs.getBytes(column);
    }

    @Override
    public boolean isNull(int column) throws SQLException {
      return rs.getObject(column) == null;
    }

    @Override
    public void close() {
      try {
        // Closing the rows resets the statement, so the kept statement can run again.
        rs.close();
      } catch (SQLException e) {
        LOG.warn("closing a result set failed", e);
        lease.fail();
      }
      lease.release();
    }
  }
}
