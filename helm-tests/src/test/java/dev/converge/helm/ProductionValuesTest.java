package dev.converge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** values-production.yaml renders a release wired to CloudNativePG and an existing key Secret. */
class ProductionValuesTest {

  private final Manifests m =
      ChartUnderTest.render(List.of(ChartUnderTest.PRODUCTION_VALUES), Map.of());

  @Test
  void rendersAutoscaledIngressedMonitoredRelease_withoutChartSecrets() {
    assertThat(m.objects())
        .extracting(o -> o.path("kind").asText())
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "ConfigMap",
            "Service",
            "Deployment",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "Ingress",
            "ServiceMonitor",
            "PrometheusRule");
    assertThat(m.one("HorizontalPodAutoscaler").path("spec").path("minReplicas").asInt())
        .isLessThanOrEqualTo(
            m.one("HorizontalPodAutoscaler").path("spec").path("maxReplicas").asInt())
        .isGreaterThan(m.one("PodDisruptionBudget").path("spec").path("minAvailable").asInt());
  }

  @Test
  void credentialsComeFromTheCloudNativePgSecret() {
    JsonNode env = m.container().path("env");
    for (String name : List.of("CONVERGE_DB_USER", "CONVERGE_DB_PASSWORD")) {
      assertThat(
              RenderDefaultsTest.find(env, "name", name)
                  .path("valueFrom")
                  .path("secretKeyRef")
                  .path("name")
                  .asText())
          .as(name)
          .isEqualTo("converge-db-app");
    }
    assertThat(m.environment().get("CONVERGE_DB_URL"))
        .startsWith("postgresql://converge-db-rw:5432/");
  }

  @Test
  void keepsTheSecurityContextAndProbes() {
    JsonNode container = m.container();
    assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean())
        .isTrue();
    assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true))
        .isFalse();
    assertThat(m.podSpec().path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/q/health/ready");
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/q/health/live");
  }

  @Test
  void topologySpread_selectsThisReleasesPods() {
    JsonNode selector =
        m.podSpec()
            .path("topologySpreadConstraints")
            .get(0)
            .path("labelSelector")
            .path("matchLabels");

    assertThat(selector.path("app.kubernetes.io/instance").asText())
        .isEqualTo(ChartUnderTest.RELEASE);
    assertThat(
            m.deployment()
                .path("spec")
                .path("template")
                .path("metadata")
                .path("labels")
                .path("app.kubernetes.io/name")
                .asText())
        .isEqualTo(selector.path("app.kubernetes.io/name").asText());
  }
}
