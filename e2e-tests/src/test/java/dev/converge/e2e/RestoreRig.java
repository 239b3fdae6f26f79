package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The set-up of the backup-restore tests: a server node on a database of its own (the run's other
 * servers keep writing to the shared one, and a restore under them would mix their rows into the
 * dump's), compacting counters every second so that runs form between a backup and a restore; the
 * devices of one user; and the backup itself ({@code pg_dump}, restored with {@code psql}).
 */
final class RestoreRig implements AutoCloseable {

  private static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");

  /** The user's own space, which the tests' devices subscribe to. */
  final String space;

  /** The server node; the tests kill and restart it around the restore. */
  final TestServer.Node node;

  /** The user's devices, on SQLite files of a temporary directory. */
  final Devices devices;

  private final ScratchDatabase db;
  private final Path dump;

  private RestoreRig(
      String space, ScratchDatabase db, TestServer.Node node, Devices devices, Path dump) {
    this.space = space;
    this.db = db;
    this.node = node;
    this.devices = devices;
    this.dump = dump;
  }

  /** Creates the database, starts the node named {@code name} and opens a user's devices. */
  static RestoreRig start(String name) throws Exception {
    String subject = TestTokens.subject(name);
    Path dir = Files.createTempDirectory("converge-" + name);
    ScratchDatabase db = ScratchDatabase.create("restore");
    TestServer.Node node = null;
    try {
      node =
          TestServer.Node.start(
              name, name, Map.of("CONVERGE_COUNTER_COMPACTION_INTERVAL", "PT1S"), db.url());
      Devices devices =
          new Devices(node.uri(), dir, TestTokens.mint(subject, List.of(), Duration.ofMinutes(30)));
      return new RestoreRig("user:" + subject, db, node, devices, dir.resolve("dump.sql"));
    } catch (Exception | Error e) {
      if (node != null) {
        node.close();
      }
      db.close();
      throw e;
    }
  }

  /** Takes the backup: {@code pg_dump --clean} of the node's database. */
  void backup() throws IOException, InterruptedException {
    run(
        List.of(
            PG_BIN.resolve("pg_dump").toString(),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--file=" + dump,
            "--dbname=" + db.url()));
  }

  /** Restores the backup into the node's database; the node must be down. */
  void restoreBackup() throws IOException, InterruptedException {
    run(
        List.of(
            PG_BIN.resolve("psql").toString(),
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            "--file=" + dump,
            "--dbname=" + db.url()));
  }

  @Override
  public void close() throws java.sql.SQLException {
    try {
      devices.close();
    } finally {
      try {
        node.close();
      } finally {
        db.close();
      }
    }
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    builder.environment().put("PGUSER", TestServer.databaseUser());
    builder.environment().put("PGPASSWORD", TestServer.databasePassword());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(command.get(0) + ": " + output).isZero();
  }
}
