package dev.converge.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/run-server.sh --build-only} in a scratch copy of the tree with a stand-in {@code
 * mvn} on the PATH: it builds only when nothing is built or a source changed since, and then shows
 * one line per module instead of the build's whole output.
 */
class RunServerScriptTest {

  private static final Instant BUILT = Instant.parse("2026-01-01T12:00:00Z");

  @TempDir Path root;
  private Path fakeMvnLog;

  @BeforeEach
  void aScratchTree() throws IOException {
    Files.createDirectories(root.resolve("scripts"));
    Files.copy(Path.of("../scripts/run-server.sh"), root.resolve("scripts/run-server.sh"));
    Files.writeString(root.resolve("pom.xml"), "<project/>");
    for (String module :
        List.of("sync-core", "dev-tokens", "sync-server", "sync-sdk", "sample-app")) {
      source(module + "/src/main/java/A.java");
    }
    Path bin = Files.createDirectories(root.resolve("bin"));
    fakeMvnLog = root.resolve("mvn-calls.txt");
    Path mvn = bin.resolve("mvn");
    Files.writeString(
        mvn,
        String.join(
            "\n",
            "#!/usr/bin/env bash",
            "echo \"$*\" >> '" + fakeMvnLog + "'",
            "echo '[INFO] Scanning for projects...'",
            "echo '[INFO] Building Converge :: sync-core 0.1.0-SNAPSHOT              [2/9]'",
            "echo '[INFO] --- compiler:compile ---'",
            "echo '[INFO] Building Converge :: sync-server 0.1.0-SNAPSHOT            [6/9]'",
            "mkdir -p sync-server/target/quarkus-app sample-app/target",
            "touch sync-server/target/quarkus-app/quarkus-run.jar sample-app/target/converge-cart.jar",
            "echo '[INFO] BUILD SUCCESS'",
            ""));
    assertThat(mvn.toFile().setExecutable(true)).isTrue();
  }

  @Test
  void nothingBuilt_buildsOnce_showingOneLinePerModule() throws Exception {
    List<String> out = runBuildOnly();

    assertThat(out)
        .contains(
            "run-server:   building sync-core 0.1.0-SNAPSHOT [2/9]",
            "run-server:   building sync-server 0.1.0-SNAPSHOT [6/9]",
            "run-server: BUILD SUCCESS")
        .noneMatch(line -> line.contains("compiler:compile") || line.contains("Scanning"));
    assertThat(out.get(0)).contains("the server is not built yet");
    assertThat(Files.readAllLines(fakeMvnLog)).hasSize(1);
  }

  @Test
  void alreadyBuilt_startsWithoutBuilding_untilASourceChanges() throws Exception {
    built();

    assertThat(runBuildOnly())
        .containsExactly(
            "run-server: already built, nothing changed since (--rebuild to build again)");
    assertThat(fakeMvnLog).doesNotExist();

    Files.setLastModifiedTime(
        root.resolve("sync-core/src/main/java/A.java"), FileTime.from(BUILT.plusSeconds(60)));
    assertThat(runBuildOnly().get(0))
        .contains("sync-core/src/main/java/A.java changed since the last build");
    assertThat(Files.readAllLines(fakeMvnLog)).hasSize(1);
  }

  @Test
  void anUnknownOption_isRefused() throws Exception {
    Process p = start("--frobnicate");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
  }

  private void built() throws IOException {
    for (String jar :
        List.of(
            "sync-server/target/quarkus-app/quarkus-run.jar",
            "sample-app/target/converge-cart.jar")) {
      Path file = root.resolve(jar);
      Files.createDirectories(file.getParent());
      Files.writeString(file, "jar");
      Files.setLastModifiedTime(file, FileTime.from(BUILT));
    }
  }

  private void source(String path) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "class A {}");
    Files.setLastModifiedTime(file, FileTime.from(BUILT.minusSeconds(60)));
    Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.from(BUILT.minusSeconds(60)));
  }

  private List<String> runBuildOnly() throws Exception {
    Process p = start("--build-only");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the script ends").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("exit status; printed:%n%s", out).isZero();
    return out.lines().filter(l -> !l.startsWith("run-server: full log")).toList();
  }

  private Process start(String option) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder("bash", root.resolve("scripts/run-server.sh").toString(), option)
            .redirectErrorStream(true);
    builder.environment().put("PATH", root.resolve("bin") + ":" + System.getenv("PATH"));
    return builder.start();
  }
}
