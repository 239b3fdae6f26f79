package dev.converge.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local side of running the packaged server as a process: its command and environment, a free
 * port, a graceful stop.
 */
public final class LocalServers {
  /**
   * The test database when {@code CONVERGE_TEST_DB_URL} is unset: the one {@code
   * scripts/setup-db.sh} creates. The only place a test database is named; the server's test
   * profile ({@code application.properties}) has the same default.
   */
  public static final String DEFAULT_TEST_DATABASE_URL =
      "postgresql://127.0.0.1:5432/converge_test";

  private LocalServers() {}

  /**
   * Returns the database the tests run on: {@code CONVERGE_TEST_DB_URL}, else {@link
   * #DEFAULT_TEST_DATABASE_URL}. Checkouts that test at the same time each set their own.
   */
  public static String testDatabaseUrl() {
    String url = System.getenv("CONVERGE_TEST_DB_URL");
    return url == null || url.isBlank() ? DEFAULT_TEST_DATABASE_URL : url;
  }

  /**
   * Returns a process builder for the packaged server {@code jar} listening on 127.0.0.1:{@code
   * port} as {@code serverId}, with its output appended to {@code log}; add environment before
   * starting it.
   */
  public static ProcessBuilder server(
      String jar, int port, String databaseUrl, Path dataDir, String serverId, Path log) {
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-jar",
            jar);
    Map<String, String> env = builder.environment();
    env.put("CONVERGE_DB_URL", databaseUrl);
    env.put("CONVERGE_HTTP_PORT", Integer.toString(port));
    env.put("CONVERGE_HTTP_HOST", "127.0.0.1");
    env.put("CONVERGE_DATA_DIR", dataDir.toAbsolutePath().toString());
    env.put("CONVERGE_SERVER_ID", serverId);
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return builder;
  }

  /** Returns a TCP port that was free a moment ago, for a server to listen on. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * Stops {@code process} as a shutdown would (SIGTERM), killing it if it has not exited within
   * {@code grace}, or at once if this thread is interrupted meanwhile (the interrupt is kept).
   */
  public static void stop(Process process, Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        // Wait for the kill too, so that the port and files are free when this returns.
        process.destroyForcibly().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
