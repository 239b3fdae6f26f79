package dev.converge.e2e;

import dev.converge.testsupport.LocalServers;
import dev.converge.testsupport.ServerProbe;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server, started once per test run as a real process on the test database ({@code
 * CONVERGE_TEST_DB_URL}) and a free port, and stopped when the JVM exits. Its output goes to {@code
 * target/e2e-logs/server.log}. RestAssured is pointed at it. Tests that kill and restart servers,
 * or run several, start {@link Node}s of their own.
 */
final class TestServer {

  /** Where the server keeps its development key; {@link TestTokens} signs with the same key. */
  static final Path DATA_DIR = Path.of("target/converge-data").toAbsolutePath();

  private static final Path LOGS = Path.of("target/e2e-logs");
  private static URI uri;

  private TestServer() {}

  /** Returns the running server's base URI ({@code http://127.0.0.1:<port>/}), starting it once. */
  static synchronized URI uri() {
    if (uri == null) {
      try {
        uri = start();
      } catch (IOException e) {
        throw new IllegalStateException("cannot start the server: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting the server", e);
      }
      RestAssured.baseURI = "http://127.0.0.1";
      RestAssured.port = uri.getPort();
    }
    return uri;
  }

  /** Returns the database URL the server runs on, as {@code postgresql://host:port/name}. */
  static String databaseUrl() {
    return LocalServers.testDatabaseUrl();
  }

  /** Returns the database user the server connects as ({@code CONVERGE_DB_USER}). */
  static String databaseUser() {
    return System.getenv().getOrDefault("CONVERGE_DB_USER", "converge");
  }

  /** Returns the database password the server connects with ({@code CONVERGE_DB_PASSWORD}). */
  static String databasePassword() {
    return System.getenv().getOrDefault("CONVERGE_DB_PASSWORD", "converge");
  }

  private static URI start() throws IOException, InterruptedException {
    Node node = Node.start("server", "e2e");
    Runtime.getRuntime().addShutdownHook(new Thread(node::close));
    return node.uri();
  }

  /**
   * One server process on a fixed port, which tests of crashes and of several nodes kill and start
   * again: every node runs the packaged server on the test database with the shared development key
   * ({@link #DATA_DIR}). Its output is appended to {@code target/e2e-logs/<name>.log}. Thread-safe.
   */
  static final class Node implements AutoCloseable {
    private final String name;
    private final String serverId;
    private final int port;
    private final Map<String, String> extraEnv;
    private final String databaseUrl;
    private volatile Process process;
    private int starts;

    private Node(
        String name, String serverId, int port, Map<String, String> extraEnv, String databaseUrl) {
      this.name = name;
      this.serverId = serverId;
      this.port = port;
      this.extraEnv = Map.copyOf(extraEnv);
      this.databaseUrl = databaseUrl;
    }

    /**
     * Starts a node on a free port and waits until it is ready.
     *
     * @param name names its log file
     * @param serverId the id it announces in {@code welcome}
     */
    static Node start(String name, String serverId) throws IOException, InterruptedException {
      return start(name, serverId, Map.of());
    }

    /**
     * Starts a node with extra environment variables (server settings such as {@code
     * CONVERGE_LOG_RETENTION}), kept across restarts.
     */
    static Node start(String name, String serverId, Map<String, String> extraEnv)
        throws IOException, InterruptedException {
      return start(name, serverId, extraEnv, databaseUrl());
    }

    /**
     * Starts a node on a database other than the shared test database (a {@link ScratchDatabase}),
     * with extra environment variables kept across restarts.
     */
    static Node start(
        String name, String serverId, Map<String, String> extraEnv, String databaseUrl)
        throws IOException, InterruptedException {
      Node node = new Node(name, serverId, LocalServers.freePort(), extraEnv, databaseUrl);
      node.launch();
      return node;
    }

    /** Returns the node's base URI, {@code http://127.0.0.1:<port>/}; stable across restarts. */
    URI uri() {
      return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** Returns the node's port. */
    int port() {
      return port;
    }

    /**
     * Returns the first sample of the metric {@code name} that the node serves on {@code
     * /q/metrics} whose labels include every one of {@code labels} (each as {@code key="value"}),
     * or 0 when it serves none yet.
     */
    double metric(String name, String... labels) {
      String text = RestAssured.given().baseUri(uri().toString()).get("/q/metrics").asString();
      for (String line : text.split("\n")) {
        if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
          continue;
        }
        boolean matches = true;
        for (String label : labels) {
          matches &= line.contains(label);
        }
        if (matches) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return 0;
    }

    /** Returns the node's name. */
    String name() {
      return name;
    }

    /** Returns whether the process is running. */
    boolean alive() {
      Process current = process;
      return current != null && current.isAlive();
    }

    /** Returns how many times the process was started. */
    synchronized int starts() {
      return starts;
    }

    /** Kills the process at once, as a crash does (SIGKILL), and waits for it to be gone. */
    synchronized void kill() throws InterruptedException {
      if (process != null) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }

    /** Starts the process again on the same port (after {@link #kill()}) and waits until ready. */
    synchronized void restart() throws IOException, InterruptedException {
      if (alive()) {
        throw new IllegalStateException(name + " is running");
      }
      launch();
    }

    /** Stops the process (SIGTERM, then SIGKILL after 20 s). Idempotent. */
    @Override
    public synchronized void close() {
      if (process != null) {
        stop(process);
      }
    }

    private void launch() throws IOException, InterruptedException {
      String jar = System.getProperty("converge.server.jar");
      if (jar == null || !Files.exists(Path.of(jar))) {
        throw new IllegalStateException(
            "no packaged server at " + jar + ": run the build from the project root (mvn verify)");
      }
      Files.createDirectories(LOGS);
      ProcessBuilder builder =
          LocalServers.server(
              jar, port, databaseUrl, DATA_DIR, serverId, LOGS.resolve(name + ".log"));
      // Counter compaction runs on its timer in every e2e test; every second, so that tests of
      // bounded counters see it soon.
      builder.environment().put("CONVERGE_COUNTER_COMPACTION_INTERVAL", "PT1S");
      builder.environment().putAll(extraEnv);
      process = builder.start();
      starts++;
      awaitReady(process, uri(), name);
    }
  }

  private static void awaitReady(Process process, URI base, String name)
      throws InterruptedException {
    try {
      ServerProbe.awaitReady(HttpClient.newHttpClient(), base, process, Duration.ofSeconds(90));
    } catch (IllegalStateException e) {
      stop(process);
      throw new IllegalStateException(name + " " + e.getMessage() + "; see " + LOGS, e);
    }
  }

  private static void stop(Process process) {
    LocalServers.stop(process, Duration.ofSeconds(20));
  }
}
