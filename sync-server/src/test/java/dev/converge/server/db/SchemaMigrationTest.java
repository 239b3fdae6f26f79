package dev.converge.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SchemaMigrationTest {

  @Inject
  @DataSource(SchemaMigration.MIGRATIONS)
  AgroalDataSource jdbc;

  @ConfigProperty(name = "converge.db.url")
  String configuredUrl;

  private String configuredDatabase;

  @BeforeEach
  void database() {
    String path = URI.create(configuredUrl.replaceFirst("^postgresql:", "http:")).getPath();
    configuredDatabase = path.substring(1);
  }

  @Test
  void startup_migratesTheSchemaOfTheTestDatabase() throws SQLException {
    try (Connection c = jdbc.getConnection()) {
      // The database the tests are configured with (CONVERGE_TEST_DB_URL), never a fixed name.
      assertThat(c.getCatalog()).isEqualTo(configuredDatabase);
      assertThat(
              column(
                  c,
                  "SELECT table_name FROM information_schema.tables"
                      + " WHERE table_schema = 'public' ORDER BY table_name"))
          .contains("change_log", "doc_state", "replica_progress", "space_seq", "stable_point");
      assertThat(column(c, "SELECT version FROM flyway_schema_history WHERE success"))
          .contains("1", "2", "3", "4", "5");
      assertThat(
              column(
                  c,
                  "SELECT owner_subject FROM replica_progress WHERE replica_id = 'converge.compaction'"))
          .as("the compaction's replica id is reserved by a subject no token has")
          .containsExactly("");
    }
  }

  @Test
  void crdtJsonColumns_areText_soTheCodecBytesArePreserved() throws SQLException {
    try (Connection c = jdbc.getConnection()) {
      assertThat(
              column(
                  c,
                  "SELECT table_name || '.' || column_name || ':' || data_type"
                      + " FROM information_schema.columns"
                      + " WHERE table_schema = 'public' AND column_name IN ('state', 'delta') ORDER BY 1"))
          .containsExactly(
              "change_log.delta:text", "doc_checkpoint.state:text", "doc_state.state:text");
    }
  }

  @Test
  void changeLog_refusesASecondRowForTheSameOrigin() throws SQLException {
    try (Connection c = jdbc.getConnection()) {
      c.setAutoCommit(false);
      try (var s = c.createStatement()) {
        s.executeUpdate(
            "INSERT INTO change_log (space, server_seq, collection, doc_id,"
                + " replica_id, seq, hlc, delta) VALUES ('t:1', 1, 'c', 'd', 'r', 1, 'h', '{}')");
        var thrown =
            org.assertj.core.api.Assertions.catchThrowableOfType(
                SQLException.class,
                () ->
                    s.executeUpdate(
                        "INSERT INTO change_log (space, server_seq, collection,"
                            + " doc_id, replica_id, seq, hlc, delta)"
                            + " VALUES ('t:1', 2, 'c', 'd', 'r', 1, 'h', '{}')"));
        assertThat(thrown.getSQLState()).isEqualTo("23505"); // unique_violation
      } finally {
        c.rollback();
      }
    }
  }

  private static List<String> column(Connection c, String sql) throws SQLException {
    var values = new ArrayList<String>();
    try (var s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }
}
