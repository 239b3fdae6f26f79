package dev.converge.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Probes a running server over HTTP: waits for its readiness and reads its Prometheus metrics. Used
 * by the tests and benchmarks that start the packaged server as a process.
 */
public final class ServerProbe {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration READY_POLL = Duration.ofMillis(200);

  private ServerProbe() {}

  /**
   * Waits until {@code server}'s readiness check answers 200.
   *
   * @param process the server's process: its exit ends the wait at once
   * @param within how long to wait at most
   * @throws IllegalStateException if the process exited or the server was not ready in time
   */
  public static void awaitReady(HttpClient http, URI server, Process process, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("exited with " + process.exitValue());
      }
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(server.resolve("/q/health/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet: poll again until the deadline
      }
      Thread.sleep(READY_POLL.toMillis());
    }
    throw new IllegalStateException("not ready within " + within.toSeconds() + " s");
  }

  /**
   * Reads one sample of {@code server}'s metrics: {@link #sum} of {@code series}.
   *
   * @throws IOException if the metrics could not be read
   */
  public static double metric(HttpClient http, URI server, String series)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(server.resolve("/q/metrics")).timeout(REQUEST_TIMEOUT).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("metrics answered " + response.statusCode());
    }
    return sum(response.body(), series);
  }

  /**
   * Returns the sum of the samples of {@code series} in Prometheus text: a metric name, optionally
   * followed by its first labels without the closing brace (e.g. {@code
   * converge_errors_total{code="too_slow"}), or 0 when there is none. A longer name that merely
   * starts with {@code series} does not count.
   */
  public static double sum(String metricsText, String series) {
    return metricsText
        .lines()
        .filter(
            l ->
                l.startsWith(series)
                    && l.length() > series.length()
                    && " {,}".indexOf(l.charAt(series.length())) >= 0)
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
