package dev.converge.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * A database of one test's own, beside the configured test database ({@code CONVERGE_TEST_DB_URL})
 * and named after it, for a test that rewrites a whole database (a backup restore): the other
 * server processes of the run keep writing to the shared test database, and a restore under them
 * would mix their rows into the dump's. Created empty (the server's migrations fill it), dropped on
 * close. Needs the database role's {@code CREATEDB}, which {@code scripts/setup-db.sh} grants.
 */
final class ScratchDatabase implements AutoCloseable {

  private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,63}");

  private final String base;
  private final String name;
  private final String url;

  private ScratchDatabase(String base, String name, String url) {
    this.base = base;
    this.name = name;
    this.url = url;
  }

  /**
   * Creates (again, if a crashed run left it) the database {@code <test database>_<suffix>}.
   *
   * @throws IllegalStateException if the role may not create databases
   */
  static ScratchDatabase create(String suffix) throws SQLException {
    String base = TestServer.databaseUrl();
    int slash = base.lastIndexOf('/');
    int query = base.indexOf('?', slash);
    String baseName = query < 0 ? base.substring(slash + 1) : base.substring(slash + 1, query);
    String name = baseName + "_" + suffix;
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain database name: " + name);
    }
    String url = base.substring(0, slash + 1) + name + (query < 0 ? "" : base.substring(query));
    ScratchDatabase db = new ScratchDatabase(base, name, url);
    try {
      db.admin("drop database if exists " + name + " with (force)");
      db.admin("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create the scratch database "
              + name
              + " as "
              + TestServer.databaseUser()
              + " (run scripts/setup-db.sh, which grants CREATEDB): "
              + e.getMessage(),
          e);
    }
    return db;
  }

  /** Returns the scratch database's URL, as {@code postgresql://host:port/name}. */
  String url() {
    return url;
  }

  /** Drops the database, closing whatever connection is still open on it. */
  @Override
  public void close() throws SQLException {
    admin("drop database if exists " + name + " with (force)");
  }

  /** Runs a statement on the configured test database, outside any transaction. */
  private void admin(String sql) throws SQLException {
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:" + base, TestServer.databaseUser(), TestServer.databasePassword());
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
