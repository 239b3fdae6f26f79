package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The program in the top README is, line for line, the marked region of {@link CartQuickStart},
 * which this build compiles and {@link QuickStartTest} runs: a README edit that is not made in the
 * program too (or the other way round) fails here.
 */
class ReadmeSnippetTest {

  static final Path README = Path.of("../README.md");
  static final Path PROGRAM = Path.of("src/test/java/dev/converge/e2e/CartQuickStart.java");
  static final String MARKER =
      "<!-- compiled and run by the build: e2e-tests/"
          + PROGRAM.toString().replace('\\', '/')
          + " -->";

  @Test
  void theReadmeProgram_isTheMarkedRegionOfTheCompiledFile() throws IOException {
    assertThat(readmeBlock())
        .as("README.md's program after %s differs from %s's README region", MARKER, PROGRAM)
        .isEqualTo(markedRegion());
  }

  /** The fenced block that follows the marker in the README. */
  static List<String> readmeBlock() throws IOException {
    List<String> lines = Files.readAllLines(README);
    int marker = lines.indexOf(MARKER);
    assertThat(marker).as("README.md holds the line %s", MARKER).isNotNegative();
    assertThat(lines.get(marker + 1)).isEqualTo("```java");
    int end = lines.subList(marker + 2, lines.size()).indexOf("```");
    assertThat(end).as("the block after the marker is closed").isNotNegative();
    return lines.subList(marker + 2, marker + 2 + end);
  }

  /** The lines between {@code // README:begin} and {@code // README:end}. */
  static List<String> markedRegion() throws IOException {
    List<String> lines = Files.readAllLines(PROGRAM);
    int begin = lines.indexOf("// README:begin");
    int end = lines.indexOf("// README:end");
    assertThat(begin).isNotNegative();
    assertThat(end).isGreaterThan(begin);
    return lines.subList(begin + 1, end);
  }
}
