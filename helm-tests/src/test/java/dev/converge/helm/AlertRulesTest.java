package dev.converge.helm;

import static dev.converge.helm.ChartUnderTest.sets;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The PrometheusRule of the chart (docs/operations.md "Alerts"): off by default, on in the
 * production values, with the thresholds taken from values. That every metric it names is served by
 * a running server is checked in sync-server (AlertRuleMetricsTest).
 */
class AlertRulesTest {

  private static final List<String> ALERTS =
      List.of(
          "ConvergeCanaryLagHigh",
          "ConvergeCanaryFailing",
          "ConvergeCanarySilent",
          "ConvergeDivergenceFound",
          "ConvergeRepairsHigh",
          "ConvergeOutboundBytesHigh",
          "ConvergeInternalErrors",
          "ConvergeErrorsHigh");

  private static List<JsonNode> rules(JsonNode prometheusRule) {
    List<JsonNode> rules = new ArrayList<>();
    prometheusRule.path("spec").path("groups").forEach(g -> g.path("rules").forEach(rules::add));
    return rules;
  }

  private static String expr(JsonNode prometheusRule, String alert) {
    return rules(prometheusRule).stream()
        .filter(r -> r.path("alert").asText().equals(alert))
        .findFirst()
        .orElseThrow()
        .path("expr")
        .asText();
  }

  @Test
  void byDefault_noRulesAreRendered() {
    assertThat(ChartUnderTest.render(Map.of()).optional("PrometheusRule")).isEmpty();
  }

  @Test
  void enabled_rendersEveryAlert_withItsThresholdAndARunbookLink() {
    JsonNode rule =
        ChartUnderTest.render(
                sets(
                    "metrics.prometheusRule.enabled",
                    true,
                    "metrics.prometheusRule.labels.release",
                    "kube-prometheus",
                    "metrics.prometheusRule.canaryLagP99Seconds",
                    7,
                    "metrics.prometheusRule.repairedDocumentsPerHour",
                    250))
            .one("PrometheusRule");

    assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.path("metadata").path("namespace").asText())
        .isEqualTo(ChartUnderTest.NAMESPACE);
    assertThat(rule.path("metadata").path("labels").path("release").asText())
        .isEqualTo("kube-prometheus");
    assertThat(rules(rule))
        .extracting(r -> r.path("alert").asText())
        .containsExactlyElementsOf(ALERTS);
    for (JsonNode r : rules(rule)) {
      assertThat(r.path("labels").path("severity").asText()).isIn("warning", "critical");
      assertThat(r.path("annotations").path("description").asText())
          .contains("docs/operations.md#" + r.path("alert").asText().toLowerCase());
      assertThat(r.path("expr").asText())
          .as(r.path("alert").asText())
          .contains("namespace=\"" + ChartUnderTest.NAMESPACE + "\"")
          .doesNotContain("<no value>");
    }
    assertThat(expr(rule, "ConvergeCanaryLagHigh"))
        .startsWith("histogram_quantile(0.99,")
        .contains("converge_canary_lag_seconds_bucket")
        .endsWith("> 7");
    assertThat(expr(rule, "ConvergeDivergenceFound"))
        .contains("sum by (cause)")
        .contains("converge_antientropy_divergent_documents_total");
    assertThat(expr(rule, "ConvergeRepairsHigh")).endsWith("> 250");
    assertThat(expr(rule, "ConvergeInternalErrors")).contains("code=\"internal\"");
    assertThat(expr(rule, "ConvergeErrorsHigh")).contains("sum by (code)");
  }

  @Test
  void productionValues_turnTheRulesAndTheCanaryOn() {
    Manifests m = ChartUnderTest.render(List.of(ChartUnderTest.PRODUCTION_VALUES), Map.of());
    assertThat(rules(m.one("PrometheusRule"))).hasSize(ALERTS.size());
    assertThat(m.environment()).containsEntry("CONVERGE_CANARY_ENABLED", "true");
  }
}
