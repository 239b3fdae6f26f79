package dev.converge.server.sync;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server started as a real process against the test database, for tests of several
 * nodes and of crashes. Its output goes to {@code target/it-logs/<name>.log}.
 */
final class ServerProcess implements AutoCloseable {

  private final String name;
  private final int port;
  private final Map<String, String> extraEnv;
  private Process process;

  private ServerProcess(String name, int port, Map<String, String> extraEnv) {
    this.name = name;
    this.port = port;
    this.extraEnv = extraEnv;
  }

  /** Starts a node on a free port and waits until it is ready. */
  static ServerProcess start(String name, Map<String, String> extraEnv) throws Exception {
    ServerProcess node = new ServerProcess(name, freePort(), extraEnv);
    node.launch();
    return node;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /** The operating-system process id of the running node. */
  long pid() {
    return process.pid();
  }

  /** The node's resident memory in KiB, from {@code /proc/<pid>/status}. */
  long rssKib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + name);
  }

  /**
   * Reads one sample of the node's Prometheus metrics: the sum of the lines starting with
   * {@code series}, a metric name optionally followed by the first labels without the closing
   * brace (e.g. {@code converge_errors_total{code="too_slow"}), or 0 when there is none.
   */
  double metric(String series) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri().resolve("/q/metrics"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return response
        .body()
        .lines()
        .filter(
            l ->
                l.startsWith(series)
                    && l.length() > series.length()
                    && " {,}".indexOf(l.charAt(series.length())) >= 0)
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** The file this node's output is appended to. */
  Path log() {
    return Path.of("target/it-logs", name + ".log");
  }

  /** Whether the process has exited, and with which status; null while it runs. */
  Integer exitValue() {
    return process == null || process.isAlive() ? null : process.exitValue();
  }

  void launch() throws Exception {
    String jar = System.getProperty("converge.server.jar", "target/quarkus-app/quarkus-run.jar");
    Path logs = Path.of("target/it-logs");
    Files.createDirectories(logs);
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-jar",
            jar);
    Map<String, String> env = builder.environment();
    env.put(
        "CONVERGE_DB_URL",
        System.getenv()
            .getOrDefault("CONVERGE_TEST_DB_URL", "postgresql://127.0.0.1:5432/converge_test"));
    env.put("CONVERGE_HTTP_PORT", Integer.toString(port));
    env.put("CONVERGE_HTTP_HOST", "127.0.0.1");
    env.put("CONVERGE_DATA_DIR", Path.of("target/converge-data").toAbsolutePath().toString());
    env.put("CONVERGE_SERVER_ID", name);
    env.putAll(extraEnv);
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile()));
    process = builder.start();
    awaitReady();
  }

  private void awaitReady() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + "; see target/it-logs/" + name + ".log");
      }
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(uri().resolve("/q/health/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " not ready within 90 s");
  }

  /** Kills the process at once, as a crash would (SIGKILL). */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
