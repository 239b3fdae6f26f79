package dev.converge.bench.suite;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The whole generator on files: a full run rewrites the doc, a quick run never touches it. */
class SuiteReportTest {

  @TempDir Path dir;

  private Path doc() throws Exception {
    StringBuilder text = new StringBuilder("# Benchmarks\n\nkept intro\n");
    for (String section : SuiteTables.SECTIONS) {
      text.append(MarkedSections.begin(section))
          .append("\nplaceholder\n")
          .append(MarkedSections.end(section))
          .append("\nkept analysis of ")
          .append(section)
          .append('\n');
    }
    Path doc = dir.resolve("docs/benchmarks.md");
    Files.createDirectories(doc.getParent());
    Files.writeString(doc, text.toString());
    return doc;
  }

  private int report(Path results, Path doc, Path plot) {
    return new CommandLine(new SuiteReport())
        .execute(
            "--results", results.toString(), "--doc", doc.toString(), "--plot", plot.toString());
  }

  @Test
  void fullRun_rewritesTheSectionsInPlace_andWritesAReadablePlotLinkedFromTheDoc()
      throws Exception {
    Path results = SuiteFixture.write(dir.resolve("results"), "full");
    Path doc = doc();
    Path plot = dir.resolve("docs/img/lag-vs-rate.png");
    assertThat(report(results, doc, plot)).isZero();
    String text = Files.readString(doc);
    assertThat(text)
        .startsWith("# Benchmarks\n\nkept intro\n")
        .doesNotContain("placeholder")
        .contains("kept analysis of storm\n", "kept analysis of bootstrap\n")
        .contains("| 4,000 ms (4,000 / 5,000 / 3,000) | Yjs 400 ms")
        .contains("![fan-out lag against write rate](img/lag-vs-rate.png)")
        .doesNotContain("Quick mode");
    BufferedImage image = ImageIO.read(plot.toFile());
    assertThat(image.getWidth()).isEqualTo(900);
    assertThat(image.getHeight()).isEqualTo(540);
    // Same results, same doc: the generator is stable.
    assertThat(report(results, doc, plot)).isZero();
    assertThat(Files.readString(doc)).isEqualTo(text);
  }

  @Test
  void quickRun_leavesTheDocAndPlotAlone_andWritesMarkedCopiesBesideTheResults() throws Exception {
    Path results = SuiteFixture.write(dir.resolve("results"), "quick");
    Path doc = doc();
    String before = Files.readString(doc);
    Path plot = dir.resolve("docs/img/lag-vs-rate.png");
    assertThat(report(results, doc, plot)).isZero();
    assertThat(Files.readString(doc)).isEqualTo(before);
    assertThat(plot).doesNotExist();
    String copy = Files.readString(results.resolve("benchmarks.md"));
    assertThat(copy.split("Quick mode", -1)).hasSize(SuiteTables.SECTIONS.size() + 1);
    assertThat(copy).contains("![fan-out lag against write rate](lag-vs-rate.png)");
    assertThat(ImageIO.read(results.resolve("lag-vs-rate.png").toFile())).isNotNull();
  }

  @Test
  void aDocWithoutMarkers_isRefusedAndLeftAsItWas() throws Exception {
    Path results = SuiteFixture.write(dir.resolve("results"), "full");
    Path doc = dir.resolve("plain.md");
    Files.writeString(doc, "# no markers\n");
    assertThat(report(results, doc, dir.resolve("p.png"))).isNotZero();
    assertThat(Files.readString(doc)).isEqualTo("# no markers\n");
  }
}
