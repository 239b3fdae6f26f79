package dev.converge.server.db;

import io.quarkus.flyway.FlywayDataSource;
import io.quarkus.runtime.PreventFurtherStepsException;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.interceptor.Interceptor;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.jboss.logging.Logger;
import org.postgresql.Driver;

/**
 * Makes sure the database is reachable and its schema current before the server serves anything.
 *
 * <p>At start-up it opens one plain JDBC connection to the configured URL. If that fails, start-up
 * stops with a single line on standard error naming the URL and the reason, and the process exits
 * with status 1. Otherwise it runs the Flyway migrations in {@code db/migration}, again (up to
 * {@value #MIGRATION_ATTEMPTS} times, the schema check after them included) when the connection is
 * lost under them. Flyway's own migrate-at-start is off because it would run first and report an
 * unreachable database as a long stack trace.
 *
 * <p>Thread safety: the observer runs once, on the start-up thread.
 */
@ApplicationScoped
public class SchemaMigration {

  /** Name of the JDBC datasource that only Flyway uses. */
  public static final String MIGRATIONS = "migrations";

  private static final Logger LOG = Logger.getLogger(SchemaMigration.class);

  /** Attempts of a migration whose connection is lost under it (250 ms, then doubling). */
  static final int MIGRATION_ATTEMPTS = 5;

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final Duration connectTimeout;
  private final Instance<Flyway> flyway;

  SchemaMigration(
      @ConfigProperty(name = "quarkus.datasource.migrations.jdbc.url") String jdbcUrl,
      @ConfigProperty(name = "quarkus.datasource.migrations.username") String user,
      @ConfigProperty(name = "quarkus.datasource.migrations.password") String password,
      @ConfigProperty(name = "converge.db.connect-timeout") Duration connectTimeout,
      @FlywayDataSource(MIGRATIONS) Instance<Flyway> flyway) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.connectTimeout = connectTimeout;
    this.flyway = flyway;
  }

  void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
    checkReachable();
    Flyway migrations = flyway.get();
    // A connection terminated while the migrations run fails the step, not the start: it runs
    // again (bounded), as an orchestrator would restart the whole process, only sooner.
    Migrated migrated =
        ConnectionLossRetry.run(
            "Schema migration",
            () ->
                new Migrated(migrations.migrate().migrationsExecuted, migrations.info().current()),
            MIGRATION_ATTEMPTS,
            Duration.ofMillis(250),
            delay -> Thread.sleep(delay.toMillis()));
    int applied = migrated.applied();
    var current = migrated.current();
    LOG.infof(
        "Database %s: schema at version %s (%d migration(s) applied now)",
        jdbcUrl, current == null ? "none" : current.getVersion(), applied);
  }

  /**
   * Opens and closes one connection, outside the pool so that no pool warning repeats it.
   *
   * @throws PreventFurtherStepsException after printing one line, when it cannot connect
   */
  private void checkReachable() {
    var props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    String seconds = Long.toString(Math.max(1, connectTimeout.toSeconds()));
    props.setProperty("connectTimeout", seconds);
    props.setProperty("loginTimeout", seconds);
    try (Connection c = new Driver().connect(jdbcUrl, props)) {
      if (c == null) {
        throw new SQLException("not a PostgreSQL JDBC URL");
      }
    } catch (SQLException e) {
      System.err.println(
          "converge: cannot connect to PostgreSQL at "
              + jdbcUrl
              + " as user "
              + user
              + ": "
              + oneLine(e)
              + " (set CONVERGE_DB_URL, CONVERGE_DB_USER, CONVERGE_DB_PASSWORD;"
              + " scripts/setup-db.sh prepares a local database)");
      // Quarkus stops the remaining start-up steps quietly on this exception, and the
      // exit requested just before makes the process end with status 1
      Quarkus.asyncExit(1);
      throw new PreventFurtherStepsException(1);
    }
  }

  /** What a migration step did: the migrations it applied now, and the schema's version after. */
  private record Migrated(int applied, MigrationInfo current) {}

  private static String oneLine(SQLException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replaceAll("\\s+", " ").trim();
  }
}
