package dev.converge.helm;

import static dev.converge.helm.ChartUnderTest.sets;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Replicas, PodDisruptionBudget, HorizontalPodAutoscaler, Ingress and ServiceMonitor switches. */
class TogglesTest {

  @Test
  void replicaCount_setsDeploymentReplicas() {
    Manifests m = ChartUnderTest.render(sets("replicaCount", 5));

    assertThat(m.deployment().path("spec").path("replicas").asInt()).isEqualTo(5);
    assertThat(m.optional("HorizontalPodAutoscaler")).isEmpty();
  }

  @Test
  void autoscaling_addsAnHpa_andLeavesReplicasToIt() {
    Manifests m =
        ChartUnderTest.render(
            sets(
                "autoscaling.enabled", true,
                "autoscaling.minReplicas", 3,
                "autoscaling.maxReplicas", 12,
                "autoscaling.targetCPUUtilizationPercentage", 60,
                "autoscaling.targetMemoryUtilizationPercentage", 80));

    JsonNode hpa = m.one("HorizontalPodAutoscaler");
    assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
    assertThat(hpa.path("spec").path("scaleTargetRef").path("kind").asText())
        .isEqualTo("Deployment");
    assertThat(hpa.path("spec").path("scaleTargetRef").path("name").asText())
        .isEqualTo(m.deployment().path("metadata").path("name").asText());
    assertThat(hpa.path("spec").path("minReplicas").asInt()).isEqualTo(3);
    assertThat(hpa.path("spec").path("maxReplicas").asInt()).isEqualTo(12);
    assertThat(hpa.path("spec").path("metrics").findValuesAsText("name"))
        .containsExactly("cpu", "memory");
    assertThat(hpa.path("spec").path("metrics").findValues("averageUtilization"))
        .extracting(JsonNode::asInt)
        .containsExactly(60, 80);
    // a fixed replica count would fight the autoscaler on every upgrade
    assertThat(m.deployment().path("spec").has("replicas")).isFalse();
  }

  @Test
  void autoscaling_withMinAboveMax_isRefused() {
    var command =
        ChartUnderTest.template(
            java.util.List.of(ChartUnderTest.REQUIRED_VALUES),
            sets(
                "autoscaling.enabled",
                true,
                "autoscaling.minReplicas",
                5,
                "autoscaling.maxReplicas",
                2));

    org.assertj.core.api.Assertions.assertThatThrownBy(command::call)
        .hasMessageContaining("autoscaling.minReplicas must not exceed autoscaling.maxReplicas");
  }

  @Test
  void pdb_isOnByDefault_withMaxUnavailableOne() {
    JsonNode pdb = ChartUnderTest.render(Map.of()).one("PodDisruptionBudget");

    assertThat(pdb.path("apiVersion").asText()).isEqualTo("policy/v1");
    assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    assertThat(pdb.path("spec").has("minAvailable")).isFalse();
    assertThat(
            pdb.path("spec")
                .path("selector")
                .path("matchLabels")
                .path("app.kubernetes.io/instance")
                .asText())
        .isEqualTo(ChartUnderTest.RELEASE);
  }

  @Test
  void pdb_minAvailable_replacesMaxUnavailable() {
    JsonNode spec =
        ChartUnderTest.render(sets("podDisruptionBudget.minAvailable", 2))
            .one("PodDisruptionBudget")
            .path("spec");

    assertThat(spec.path("minAvailable").asInt()).isEqualTo(2);
    assertThat(spec.has("maxUnavailable")).isFalse();
  }

  @Test
  void pdb_canBeTurnedOff() {
    assertThat(
            ChartUnderTest.render(sets("podDisruptionBudget.enabled", false))
                .optional("PodDisruptionBudget"))
        .isEmpty();
  }

  @Test
  void ingress_isOffByDefault() {
    assertThat(ChartUnderTest.render(Map.of()).optional("Ingress")).isEmpty();
  }

  @Test
  void ingress_routesToTheService_withWebSocketTimeouts() {
    Manifests m =
        ChartUnderTest.render(
            sets(
                "ingress.enabled", true,
                "ingress.hosts[0].host", "sync.test",
                "ingress.hosts[0].paths[0].path", "/v1",
                "ingress.hosts[0].paths[0].pathType", "Prefix",
                "ingress.tls[0].secretName", "sync-tls",
                "ingress.tls[0].hosts[0]", "sync.test"));

    JsonNode ingress = m.one("Ingress");
    JsonNode annotations = ingress.path("metadata").path("annotations");
    assertThat(annotations.path("nginx.ingress.kubernetes.io/proxy-read-timeout").asInt())
        .isGreaterThanOrEqualTo(3600);
    assertThat(annotations.path("nginx.ingress.kubernetes.io/proxy-send-timeout").asInt())
        .isGreaterThanOrEqualTo(3600);
    assertThat(ingress.path("spec").path("ingressClassName").asText()).isEqualTo("nginx");
    JsonNode rule = ingress.path("spec").path("rules").get(0);
    assertThat(rule.path("host").asText()).isEqualTo("sync.test");
    JsonNode backend = rule.path("http").path("paths").get(0).path("backend").path("service");
    assertThat(backend.path("name").asText())
        .isEqualTo(m.one("Service").path("metadata").path("name").asText());
    assertThat(backend.path("port").path("name").asText())
        .isEqualTo(m.one("Service").path("spec").path("ports").get(0).path("name").asText());
    assertThat(ingress.path("spec").path("tls").get(0).path("secretName").asText())
        .isEqualTo("sync-tls");
  }

  @Test
  void ingress_nginxAnnotationsCanBeLeftOut_forOtherControllers() {
    JsonNode ingress =
        ChartUnderTest.render(
                sets(
                    "ingress.enabled",
                    true,
                    "ingress.nginxWebSocketAnnotations",
                    false,
                    "ingress.className",
                    "traefik"))
            .one("Ingress");

    assertThat(ingress.path("metadata").path("annotations").isMissingNode()).isTrue();
    assertThat(ingress.path("spec").path("ingressClassName").asText()).isEqualTo("traefik");
  }

  @Test
  void serviceMonitor_isOffByDefault() {
    assertThat(ChartUnderTest.render(Map.of()).optional("ServiceMonitor")).isEmpty();
  }

  @Test
  void serviceMonitor_scrapesTheMetricsEndpoint() {
    Manifests m =
        ChartUnderTest.render(
            sets(
                "metrics.serviceMonitor.enabled",
                true,
                "metrics.serviceMonitor.labels.release",
                "prom"));

    JsonNode monitor = m.one("ServiceMonitor");
    assertThat(monitor.path("metadata").path("labels").path("release").asText()).isEqualTo("prom");
    JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
    assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
    assertThat(endpoint.path("port").asText())
        .isEqualTo(m.one("Service").path("spec").path("ports").get(0).path("name").asText());
    assertThat(monitor.path("spec").path("selector").path("matchLabels"))
        .isEqualTo(m.one("Service").path("spec").path("selector"));
  }

  @Test
  void podAntiAffinity_hard_requiresSeparateNodes() {
    JsonNode antiAffinity =
        ChartUnderTest.render(sets("podAntiAffinity", "hard"))
            .podSpec()
            .path("affinity")
            .path("podAntiAffinity");

    assertThat(antiAffinity.has("requiredDuringSchedulingIgnoredDuringExecution")).isTrue();
    assertThat(ChartUnderTest.render(sets("podAntiAffinity", "none")).podSpec().has("affinity"))
        .isFalse();
  }
}
