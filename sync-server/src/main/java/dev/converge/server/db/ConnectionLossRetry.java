package dev.converge.server.db;

import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;
import org.flywaydb.core.internal.exception.sqlExceptions.FlywaySqlUnableToConnectToDbException;
import org.jboss.logging.Logger;

/**
 * Retries a start-up step whose database connection was lost under it (a terminated backend, a
 * failover, a pooler restart): such a step failed as a whole and is safe to run again, as a
 * migration is (each PostgreSQL migration runs in a transaction that the lost connection rolled
 * back). Any other failure is thrown at once, as is the last one.
 *
 * <p>Stateless; used on the start-up thread.
 */
final class ConnectionLossRetry {

  private static final Logger LOG = Logger.getLogger(ConnectionLossRetry.class);

  /** Waits between attempts; a test passes one that does not sleep. */
  interface Pause {
    void pause(Duration delay) throws InterruptedException;
  }

  private ConnectionLossRetry() {}

  /**
   * Runs {@code step} up to {@code attempts} times while it fails with a lost connection, waiting
   * {@code firstDelay}, then twice as long each time, between attempts.
   *
   * @throws RuntimeException the step's failure when it is not a lost connection, or the last one
   */
  static <T> T run(String what, Supplier<T> step, int attempts, Duration firstDelay, Pause pause) {
    Duration delay = firstDelay;
    for (int attempt = 1; ; attempt++) {
      try {
        return step.get();
      } catch (RuntimeException e) {
        if (attempt >= attempts || !isConnectionLoss(e)) {
          throw e;
        }
        LOG.warnf(
            "%s lost its database connection (attempt %d of %d: %s); retrying in %d ms",
            what, attempt, attempts, oneLine(e), delay.toMillis());
        try {
          pause.pause(delay);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        delay = delay.multipliedBy(2);
      }
    }
  }

  /**
   * Whether {@code failure} (or a cause of it) is a lost connection: an {@link SQLException} of SQL
   * state class 08 (connection exception) or 57P01-57P03 (the server terminated the backend, is
   * shutting down, or cannot accept connections now), or Flyway's "unable to obtain a connection"
   * (the pool could not get one in time, e.g. while backends are being terminated).
   */
  static boolean isConnectionLoss(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof FlywaySqlUnableToConnectToDbException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.matches("57P0[123]")) {
          return true;
        }
      }
    }
    return false;
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replaceAll("\\s+", " ").trim();
  }
}
