package dev.converge.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerProbeTest {

  private static final String METRICS =
      """
      # HELP converge_errors_total errors sent
      converge_errors_total{code="too_slow",kind="ws"} 2.0
      converge_errors_total{code="malformed",kind="ws"} 3.0
      converge_errors_total_created 1.7E9
      converge_sessions 4
      """;

  @Test
  void sum_addsEverySampleOfTheSeries_andNoLongerName() {
    assertThat(ServerProbe.sum(METRICS, "converge_errors_total")).isEqualTo(5.0);
    assertThat(ServerProbe.sum(METRICS, "converge_errors_total{code=\"too_slow\"")).isEqualTo(2.0);
    assertThat(ServerProbe.sum(METRICS, "converge_sessions")).isEqualTo(4.0);
    assertThat(ServerProbe.sum(METRICS, "converge_missing")).isZero();
  }

  @Test
  void awaitReady_endsAtOnceWhenTheProcessHasExited() throws Exception {
    Process exited = new ProcessBuilder("true").start();
    exited.waitFor();

    assertThatThrownBy(
            () ->
                ServerProbe.awaitReady(
                    HttpClient.newHttpClient(),
                    URI.create("http://127.0.0.1:9"),
                    exited,
                    Duration.ofSeconds(30)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("exited with 0");
  }
}
