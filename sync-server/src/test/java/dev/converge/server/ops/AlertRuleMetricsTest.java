package dev.converge.server.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules of the Helm chart (helm/sync-server/templates/prometheusrule.yaml) name only
 * metrics that a freshly started server serves at /q/metrics: a rule on a misspelt or never
 * registered metric would stay silent forever.
 */
@QuarkusTest
class AlertRuleMetricsTest {

  private static final Path RULES =
      Path.of("../helm/sync-server/templates/prometheusrule.yaml").toAbsolutePath().normalize();

  /** Every {@code converge_*} series name in the rules' expressions. */
  static Set<String> referencedMetrics() throws IOException {
    Set<String> names = new TreeSet<>();
    for (String line : Files.readAllLines(RULES)) {
      if (line.trim().startsWith("expr:")) {
        Matcher m = Pattern.compile("\\b(converge_[a-z0-9_]+)\\b").matcher(line);
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  @Test
  void everyMetricTheAlertRulesName_isServedByARunningServer() throws IOException {
    Set<String> referenced = referencedMetrics();
    assertThat(referenced)
        .as("the rules name the canary, anti-entropy, outbound and error metrics")
        .contains(
            "converge_canary_lag_seconds_bucket",
            "converge_canary_failures_total",
            "converge_antientropy_divergent_documents_total",
            "converge_antientropy_repaired_documents_total",
            "converge_sessions_outbound_bytes",
            "converge_errors_total");
    String body = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    Set<String> served = new TreeSet<>();
    for (String line : body.split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        served.add(line.split("[{ ]", 2)[0]);
      }
    }
    assertThat(served).as("series served at /q/metrics").containsAll(referenced);
  }
}
