package dev.converge.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No test names a database: every test reads {@code CONVERGE_TEST_DB_URL} through {@link
 * LocalServers#testDatabaseUrl()} (or the server's test profile), so checkouts testing at the same
 * time on their own databases never meet, and a build run on another database does not fail (or
 * skip modules) on a name written into one test.
 */
class NoFixedTestDatabaseTest {

  /** The default database's name, spelt so that this file does not hold it. */
  private static final String NAME = "converge" + "_test";

  @Test
  void noTestSource_namesTheTestDatabase() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    List<Path> offenders;
    try (Stream<Path> files = Files.walk(root)) {
      offenders =
          files
              .filter(p -> root.relativize(p).toString().contains("/src/test/"))
              .filter(p -> !root.relativize(p).toString().contains("/target/"))
              .filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".properties"))
              .filter(p -> read(p).contains(NAME))
              .map(root::relativize)
              .collect(Collectors.toList());
    }
    assertThat(offenders)
        .as("test sources naming a database; use LocalServers.testDatabaseUrl()")
        .isEmpty();
  }

  @Test
  void testDatabaseUrl_isTheEnvironmentsOrTheDefault() {
    String env = System.getenv("CONVERGE_TEST_DB_URL");
    assertThat(LocalServers.testDatabaseUrl())
        .isEqualTo(env == null || env.isBlank() ? LocalServers.DEFAULT_TEST_DATABASE_URL : env);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
