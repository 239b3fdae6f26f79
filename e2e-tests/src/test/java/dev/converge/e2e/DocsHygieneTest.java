package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project's documents stand alone: no heading calls itself a draft, and nothing points at a
 * design file outside the repository, which a reader of a clone does not have.
 */
class DocsHygieneTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final List<String> FORBIDDEN = List.of("../shared", "design.md", "(draft");

  @Test
  void noDocument_isADraft_orLinksOutsideTheRepository() throws IOException {
    List<String> findings;
    try (Stream<Path> files = Files.walk(ROOT)) {
      findings =
          files
              .filter(p -> p.toString().endsWith(".md") || p.toString().endsWith(".yaml"))
              .filter(DocsHygieneTest::isProjectFile)
              .flatMap(DocsHygieneTest::findingsIn)
              .collect(Collectors.toList());
    }
    assertThat(findings).isEmpty();
    try (Stream<Path> files = Files.walk(ROOT)) {
      assertThat(
              files
                  .filter(p -> p.toString().endsWith(".md"))
                  .filter(DocsHygieneTest::isProjectFile))
          .as("the documents looked at")
          .contains(ROOT.resolve("README.md"), ROOT.resolve("sync-sdk/README.md"));
    }
  }

  /** Not build output nor a hidden directory's, judged inside the project (not by its location). */
  private static boolean isProjectFile(Path file) {
    String relative = "/" + ROOT.relativize(file).toString().replace('\\', '/');
    return !relative.contains("/target/") && !relative.contains("/.");
  }

  private static Stream<String> findingsIn(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path name = ROOT.relativize(file);
    return Stream.iterate(0, i -> i < lines.size(), i -> i + 1)
        .filter(
            i ->
                FORBIDDEN.stream().anyMatch(lines.get(i).toLowerCase(Locale.ROOT)::contains)
                    || (lines.get(i).startsWith("#")
                        && lines.get(i).toLowerCase(Locale.ROOT).contains("draft")))
        .map(i -> name + ":" + (i + 1) + ": " + lines.get(i));
  }
}
