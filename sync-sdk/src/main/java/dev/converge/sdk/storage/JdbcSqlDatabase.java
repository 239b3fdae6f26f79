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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SqlDatabase} of the JVM: one sqlite-jdbc connection held in exclusive locking mode (a
 * second client on the same file fails fast instead of sharing the replica id), WAL journal.
 *
 * <p>sqlite-jdbc ships native libraries for desktop and server platforms, not for Android: on a
 * phone use {@code dev.converge.sdk.android.AndroidSqlDatabase}.
 */
public final class JdbcSqlDatabase implements SqlDatabase {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcSqlDatabase.class);

  private final Connection connection;
  private final Path file;

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
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + absolute);
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
    try (PreparedStatement ps = prepare(sql, args)) {
      return ps.executeUpdate();
    }
  }

  @Override
  public long insert(String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(sql, args)) {
      ps.executeUpdate();
    }
    // Same connection, no statement in between: the rowid of the insert above.
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT last_insert_rowid()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public SqlRows query(String sql, Object... args) throws SQLException {
    PreparedStatement ps = prepare(sql, args);
    try {
      return new Rows(ps, ps.executeQuery());
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }

  @Override
  public void begin() throws SQLException {
    connection.setAutoCommit(false);
  }

  @Override
  public void commit() throws SQLException {
    connection.commit();
    connection.setAutoCommit(true);
  }

  @Override
  public void rollback() throws SQLException {
    if (!connection.getAutoCommit()) {
      connection.rollback();
      connection.setAutoCommit(true);
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
    closeQuietly(connection);
  }

  private PreparedStatement prepare(String sql, Object... args) throws SQLException {
    PreparedStatement ps = connection.prepareStatement(sql);
    try {
      for (int i = 0; i < args.length; i++) {
        bind(ps, i + 1, args[i]);
      }
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
    return ps;
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

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("closing the local database failed", e);
    }
  }

  /** A result set and the statement it came from, closed together. */
  private record Rows(PreparedStatement statement, ResultSet rs) implements SqlRows {

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
        statement.close();
      } catch (SQLException e) {
        LOG.warn("closing a statement failed", e);
      }
    }
  }
}
