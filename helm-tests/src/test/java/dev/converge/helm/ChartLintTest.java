package dev.converge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code helm lint --strict}. helm-java's lint reads the chart's own values.yaml only, so the
 * passing cases lint a copy whose values.yaml carries the required values, as {@code helm lint
 * --strict -f required.yaml} would.
 */
class ChartLintTest {

  @Test
  void lintPasses_withRequiredValues() throws IOException {
    Path chart = ChartUnderTest.copyOfChart();
    Path values = chart.resolve("values.yaml");
    ChartUnderTest.YAML.writeValue(
        values.toFile(),
        ChartUnderTest.merge(ChartUnderTest.readYaml(values), ChartUnderTest.requiredValues()));

    LintResult result = new Helm(chart).lint().strict().call();

    assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
  }

  @Test
  void lintPasses_withProductionValues() throws IOException {
    Path chart = ChartUnderTest.copyOfChart();
    Path values = chart.resolve("values.yaml");
    ChartUnderTest.YAML.writeValue(
        values.toFile(),
        ChartUnderTest.merge(
            ChartUnderTest.readYaml(values),
            ChartUnderTest.readYaml(ChartUnderTest.PRODUCTION_VALUES)));

    LintResult result = new Helm(chart).lint().strict().call();

    assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
  }

  @Test
  void lintFails_asShipped_becauseDatabaseAndKeyAreRequired() {
    LintResult result = new Helm(ChartUnderTest.CHART).lint().strict().call();

    assertThat(result.isFailed()).isTrue();
    assertThat(String.join("\n", result.getMessages()))
        .contains("values.yaml")
        .contains("/database/url")
        .contains("/jwt/issuer");
  }

  @Test
  void chartDeclaresAppVersionOfTheServer() throws IOException {
    String chartYaml = Files.readString(ChartUnderTest.CHART.resolve("Chart.yaml"));
    String serverPom = Files.readString(ChartUnderTest.SERVER.resolve("../pom.xml").normalize());
    String projectVersion =
        serverPom.replaceFirst(
            "(?s).*?<artifactId>converge-parent</artifactId>\\s*<version>([^<]+)</version>.*",
            "$1");

    assertThat(chartYaml)
        .contains("appVersion: \"" + projectVersion.replace("-SNAPSHOT", "") + "\"");
  }
}
