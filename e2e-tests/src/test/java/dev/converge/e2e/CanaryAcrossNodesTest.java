package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The canary across two server processes on one PostgreSQL (docs/operations.md "Canary"): node A's
 * writer pushes to A, its reader is connected to node B, so every round crosses nodes through the
 * database's notifications and B's fan-out. Rounds complete, none fails, and B serves the reader's
 * session.
 */
class CanaryAcrossNodesTest {

  @Test
  void roundsWrittenOnOneNode_areSeenThroughTheOther() throws Exception {
    try (TestServer.Node reading = TestServer.Node.start("canary-b", "canary-b");
        TestServer.Node writing =
            TestServer.Node.start(
                "canary-a",
                "canary-a",
                Map.of(
                    "CONVERGE_CANARY_ENABLED", "true",
                    "CONVERGE_CANARY_INTERVAL", "PT1S",
                    "CONVERGE_CANARY_TIMEOUT", "PT10S",
                    "CONVERGE_CANARY_READER_SERVER_URI",
                        "ws://127.0.0.1:" + reading.port() + "/v1/sync"))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () ->
                  assertThat(writing.metric("converge_canary_lag_seconds_count"))
                      .isGreaterThanOrEqualTo(3));
      assertThat(writing.metric("converge_canary_failures_total")).isZero();
      // The writer's session is on A and the reader's on B: each node serves exactly one.
      assertThat(reading.metric("converge_sessions")).isEqualTo(1);
      assertThat(writing.metric("converge_sessions")).isEqualTo(1);
    }
  }
}
