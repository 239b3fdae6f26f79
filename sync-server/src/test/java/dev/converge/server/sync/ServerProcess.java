package dev.converge.server.sync;

import dev.converge.testsupport.LocalServers;
import dev.converge.testsupport.ServerProbe;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
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
    ServerProcess node = new ServerProcess(name, LocalServers.freePort(), extraEnv);
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
    return ServerProbe.metric(HttpClient.newHttpClient(), uri(), series);
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
    String database = LocalServers.testDatabaseUrl();
    ProcessBuilder builder =
        LocalServers.server(
            jar,
            port,
            database,
            Path.of("target/converge-data"),
            name,
            logs.resolve(name + ".log"));
    builder.environment().putAll(extraEnv);
    process = builder.start();
    awaitReady();
  }

  private void awaitReady() throws Exception {
    try {
      ServerProbe.awaitReady(HttpClient.newHttpClient(), uri(), process, Duration.ofSeconds(90));
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          name + " " + e.getMessage() + "; see target/it-logs/" + name + ".log", e);
    }
  }

  /** Kills the process at once, as a crash would (SIGKILL). */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      LocalServers.stop(process, Duration.ofSeconds(20));
    }
  }
}
