package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** With no database at the configured URL the server says so in one line and exits non-zero. */
class DatabaseUnreachableIT {

  @Test
  void unreachableDatabase_oneClearLineNamingTheUrl_andNonZeroExit() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String url = "postgresql://127.0.0.1:" + closedPort + "/converge";
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            System.getProperty("converge.server.jar", "target/quarkus-app/quarkus-run.jar"));
    builder.environment().put("CONVERGE_DB_URL", url);
    builder.environment().put("CONVERGE_HTTP_PORT", "0");
    builder
        .environment()
        .put("CONVERGE_DATA_DIR", Path.of("target/converge-data").toAbsolutePath().toString());
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the server exits by itself").isTrue();
    String stderr = new String(process.getErrorStream().readAllBytes());
    assertThat(process.exitValue()).isNotZero();
    List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as("one line on standard error").hasSize(1);
    assertThat(lines.get(0))
        .contains("cannot connect to PostgreSQL")
        .contains("127.0.0.1:" + closedPort + "/converge");
  }
}
