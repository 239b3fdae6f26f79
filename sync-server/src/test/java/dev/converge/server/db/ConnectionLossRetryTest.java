package dev.converge.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.internal.exception.FlywaySqlException;
import org.junit.jupiter.api.Test;

/**
 * A start-up step whose connection is lost under it runs again (storm seeds 2012, 2020, 2027 and
 * 2030: a backend terminated while Flyway validated or migrated failed the node's start); any other
 * failure fails at once.
 */
class ConnectionLossRetryTest {

  private final List<Duration> pauses = new ArrayList<>();

  private static FlywaySqlException terminated() {
    return new FlywaySqlException(
        "Unable to read database connection metadata",
        new SQLException("This connection has been closed.", "08003"));
  }

  @Test
  void aLostConnection_isRetried_withDoublingPauses_untilTheStepSucceeds() {
    AtomicInteger calls = new AtomicInteger();
    int result =
        ConnectionLossRetry.run(
            "Schema migration",
            () -> {
              if (calls.incrementAndGet() < 3) {
                throw terminated();
              }
              return 7;
            },
            5,
            Duration.ofMillis(250),
            pauses::add);
    assertThat(result).isEqualTo(7);
    assertThat(calls).hasValue(3);
    assertThat(pauses).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500));
  }

  @Test
  void theLastAttemptsFailure_isThrown() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                ConnectionLossRetry.run(
                    "Schema migration",
                    () -> {
                      calls.incrementAndGet();
                      throw terminated();
                    },
                    3,
                    Duration.ofMillis(10),
                    pauses::add))
        .isInstanceOf(FlywaySqlException.class);
    assertThat(calls).hasValue(3);
    assertThat(pauses).hasSize(2);
  }

  @Test
  void anyOtherFailure_isThrownAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                ConnectionLossRetry.run(
                    "Schema migration",
                    () -> {
                      calls.incrementAndGet();
                      throw new FlywayException("Validate failed: checksum mismatch for V3");
                    },
                    5,
                    Duration.ofMillis(10),
                    pauses::add))
        .hasMessageContaining("checksum mismatch");
    assertThat(calls).hasValue(1);
    assertThat(pauses).isEmpty();
  }

  @Test
  void connectionLoss_isSqlStateClass08OrATerminatedBackend_anywhereInTheCauses() {
    assertThat(ConnectionLossRetry.isConnectionLoss(terminated())).isTrue();
    assertThat(
            ConnectionLossRetry.isConnectionLoss(
                new RuntimeException(new SQLException("terminating connection", "57P01"))))
        .isTrue();
    assertThat(
            ConnectionLossRetry.isConnectionLoss(
                new org.flywaydb
                    .core
                    .internal
                    .exception
                    .sqlExceptions
                    .FlywaySqlUnableToConnectToDbException(
                    new SQLException("Sorry, acquisition timeout!"), null)))
        .isTrue();
    assertThat(ConnectionLossRetry.isConnectionLoss(new SQLException("syntax error", "42601")))
        .isFalse();
    assertThat(ConnectionLossRetry.isConnectionLoss(new SQLException("no state"))).isFalse();
    assertThat(ConnectionLossRetry.isConnectionLoss(new IllegalStateException("other"))).isFalse();
  }
}
