package dev.converge.sdk.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kept prepared statements of {@link JdbcSqlDatabase}, on a real SQLite file. */
class JdbcSqlDatabaseTest {

  @TempDir Path dir;
  private JdbcSqlDatabase db;

  @BeforeEach
  void open() throws SQLException {
    db = JdbcSqlDatabase.open(dir.resolve("t.db"), false);
    db.update("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)");
    for (int i = 1; i <= 3; i++) {
      db.insert("INSERT INTO t (k, v) VALUES (?, ?)", i, "v" + i);
    }
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void theSameQuery_nestedInItsOwnRows_readsItsOwnRows() throws SQLException {
    String sql = "SELECT v FROM t WHERE k >= ? ORDER BY k";
    List<String> pairs = new ArrayList<>();
    try (SqlRows outer = db.query(sql, 2)) {
      while (outer.next()) {
        try (SqlRows inner = db.query(sql, 1)) {
          while (inner.next()) {
            pairs.add(outer.getString(1) + "/" + inner.getString(1));
          }
        }
      }
    }
    assertThat(pairs).containsExactly("v2/v1", "v2/v2", "v2/v3", "v3/v1", "v3/v2", "v3/v3");
  }

  @Test
  void rowsClosedBeforeTheEnd_leaveTheStatementReadyToRunAgain() throws SQLException {
    String sql = "SELECT v FROM t ORDER BY k";
    try (SqlRows rows = db.query(sql)) {
      assertThat(rows.next()).isTrue();
    }
    assertThat(values(sql)).containsExactly("v1", "v2", "v3");
    // A write after a half-read query: the kept statement holds no lock on the table.
    db.update("DELETE FROM t WHERE k = ?", 1);
    assertThat(values(sql)).containsExactly("v2", "v3");
  }

  @Test
  void aStatementThatFailed_runsAgainWithNewArguments() throws SQLException {
    String sql = "INSERT INTO t (k, v) VALUES (?, ?)";
    assertThatThrownBy(() -> db.insert(sql, 4, "v1")).isInstanceOf(SQLException.class);
    assertThat(db.insert(sql, 4, "v4")).isEqualTo(4);
    assertThatThrownBy(() -> db.update(sql, 5, "v4")).isInstanceOf(SQLException.class);
    assertThat(values("SELECT v FROM t ORDER BY k")).containsExactly("v1", "v2", "v3", "v4");
  }

  @Test
  void argumentsOfOneRun_doNotLeakIntoTheNext() throws SQLException {
    String sql = "SELECT count(*) FROM t WHERE v = ? OR ? IS NULL";
    try (SqlRows rows = db.query(sql, "v1", "x")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(1);
    }
    try (SqlRows rows = db.query(sql, "none", null)) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(3);
    }
  }

  @Test
  void keptStatements_stopAtTheBound_andTheOnesClosedBeyondItStillRun() throws SQLException {
    db.close();
    db = JdbcSqlDatabase.open(dir.resolve("t.db"), false);
    for (int i = 0; i < JdbcSqlDatabase.CACHED_STATEMENTS; i++) {
      assertThat(count(i)).isEqualTo(3);
    }
    assertThat(db.cachedStatements()).isEqualTo(JdbcSqlDatabase.CACHED_STATEMENTS);
    assertThat(count(JdbcSqlDatabase.CACHED_STATEMENTS)).isEqualTo(3);
    assertThat(db.cachedStatements()).isEqualTo(JdbcSqlDatabase.CACHED_STATEMENTS);
    // The first was the least recently used: closed, and prepared again on its next run.
    assertThat(count(0)).isEqualTo(3);
    assertThat(db.cachedStatements()).isEqualTo(JdbcSqlDatabase.CACHED_STATEMENTS);
  }

  @Test
  void badArguments_areRefused_andTheStatementStillRuns() throws SQLException {
    String sql = "SELECT count(*) FROM t WHERE k > ?";
    assertThatThrownBy(() -> db.query(sql, 1.5)).isInstanceOf(IllegalArgumentException.class);
    try (SqlRows rows = db.query(sql, 1)) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(2);
    }
  }

  /** A distinct SQL text per {@code i}, counting every row. */
  private long count(int i) throws SQLException {
    try (SqlRows rows = db.query("SELECT count(*) + " + i + " - " + i + " FROM t")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private List<String> values(String sql, Object... args) throws SQLException {
    List<String> out = new ArrayList<>();
    try (SqlRows rows = db.query(sql, args)) {
      while (rows.next()) {
        out.add(rows.getString(1));
      }
    }
    return out;
  }
}
