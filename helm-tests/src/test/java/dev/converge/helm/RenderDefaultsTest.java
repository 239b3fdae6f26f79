package dev.converge.helm;

import static dev.converge.helm.ChartUnderTest.sets;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rendering with the chart's defaults plus the required values: the objects and their shape. */
class RenderDefaultsTest {

  private final Manifests manifests = ChartUnderTest.render(Map.of());

  @Test
  void rendersTheExpectedObjects() {
    assertThat(manifests.objects())
        .extracting(o -> o.path("kind").asText())
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "Secret",
            "Secret",
            "ConfigMap",
            "Service",
            "Deployment",
            "PodDisruptionBudget");
    assertThat(manifests.objects())
        .allSatisfy(
            o -> {
              assertThat(o.path("metadata").path("namespace").asText())
                  .isEqualTo(ChartUnderTest.NAMESPACE);
              assertThat(
                      o.path("metadata").path("labels").path("app.kubernetes.io/instance").asText())
                  .isEqualTo(ChartUnderTest.RELEASE);
            });
  }

  @Test
  void deployment_twoReplicas_rollingUpdateNeverBelowDesired() {
    JsonNode spec = manifests.deployment().path("spec");

    assertThat(spec.path("replicas").asInt()).isEqualTo(2);
    assertThat(spec.path("strategy").path("type").asText()).isEqualTo("RollingUpdate");
    assertThat(spec.path("strategy").path("rollingUpdate").path("maxUnavailable").asInt()).isZero();
    JsonNode selector = spec.path("selector").path("matchLabels");
    JsonNode podLabels = spec.path("template").path("metadata").path("labels");
    assertThat(selector.size()).isEqualTo(2);
    selector
        .properties()
        .forEach(
            e ->
                assertThat(podLabels.path(e.getKey()))
                    .as("pod label %s", e.getKey())
                    .isEqualTo(e.getValue()));
  }

  @Test
  void image_defaultsToAppVersion() {
    assertThat(manifests.container().path("image").asText())
        .isEqualTo("converge/sync-server:0.1.0");
    assertThat(
            ChartUnderTest.render(sets("image.digest", "sha256:" + "a".repeat(64)))
                .container()
                .path("image")
                .asText())
        .isEqualTo("converge/sync-server@sha256:" + "a".repeat(64));
  }

  @Test
  void probes_pointAtTheServersHealthEndpoints_onTheContainerPort() {
    assertProbes(manifests, 8080);
  }

  @Test
  void probes_followAChangedContainerPort() {
    assertProbes(ChartUnderTest.render(sets("containerPort", 9090)), 9090);
  }

  private static void assertProbes(Manifests m, int port) {
    JsonNode container = m.container();
    JsonNode ports = container.path("ports");
    assertThat(ports).hasSize(1);
    assertThat(ports.get(0).path("containerPort").asInt()).isEqualTo(port);
    String portName = ports.get(0).path("name").asText();

    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/q/health/live");
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
        .isEqualTo("/q/health/ready");
    assertThat(container.path("startupProbe").path("httpGet").path("path").asText())
        .isEqualTo("/q/health/live");
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      JsonNode probePort = container.path(probe).path("httpGet").path("port");
      assertThat(probePort.isInt() ? probePort.asText() : probePort.asText())
          .as("%s port", probe)
          .isIn(portName, String.valueOf(port));
    }
    // the server listens where the probes knock
    assertThat(m.environment()).containsEntry("CONVERGE_HTTP_PORT", String.valueOf(port));
    assertThat(m.one("Service").path("spec").path("ports").get(0).path("targetPort").asText())
        .isIn(portName, String.valueOf(port));
  }

  @Test
  void resources_haveRequestsAndLimits() {
    JsonNode resources = manifests.container().path("resources");
    assertThat(resources.path("requests").path("cpu").asText()).isNotEmpty();
    assertThat(resources.path("requests").path("memory").asText()).isNotEmpty();
    assertThat(resources.path("limits").path("memory").asText()).isNotEmpty();
  }

  @Test
  void securityContext_nonRoot_readOnlyRoot_noCapabilities_runtimeDefaultSeccomp() {
    JsonNode pod = manifests.podSpec().path("securityContext");
    assertThat(pod.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("runAsUser").asInt()).isPositive();
    assertThat(pod.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");

    JsonNode container = manifests.container().path("securityContext");
    assertThat(container.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.path("allowPrivilegeEscalation").isBoolean()).isTrue();
    assertThat(container.path("allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(container.path("capabilities").path("drop"))
        .extracting(JsonNode::asText)
        .containsExactly("ALL");
    assertThat(container.path("capabilities").has("add")).isFalse();
    assertThat(container.path("privileged").asBoolean(false)).isFalse();

    assertThat(manifests.podSpec().path("automountServiceAccountToken").asBoolean(true)).isFalse();
  }

  @Test
  void tmp_isAWritableEmptyDir_onTheReadOnlyRoot() {
    JsonNode tmpMount = find(manifests.container().path("volumeMounts"), "mountPath", "/tmp");
    JsonNode volume =
        find(manifests.podSpec().path("volumes"), "name", tmpMount.path("name").asText());
    assertThat(volume.has("emptyDir")).isTrue();
    assertThat(tmpMount.path("readOnly").asBoolean(false)).isFalse();
    // the server's data directory, if ever written, lands on that volume
    assertThat(manifests.environment().get("CONVERGE_DATA_DIR")).startsWith("/tmp/");
  }

  @Test
  void eachPodNamesItselfAsServerId() {
    JsonNode serverId = find(manifests.container().path("env"), "name", "CONVERGE_SERVER_ID");
    assertThat(serverId.path("valueFrom").path("fieldRef").path("fieldPath").asText())
        .isEqualTo("metadata.name");
  }

  @Test
  void podTemplate_carriesChecksumsSoSettingChangesRollThePods() {
    JsonNode annotations =
        manifests.deployment().path("spec").path("template").path("metadata").path("annotations");
    String before = annotations.path("checksum/config").asText();
    String after =
        ChartUnderTest.render(sets("config.pushMaxChangesets", 100))
            .deployment()
            .path("spec")
            .path("template")
            .path("metadata")
            .path("annotations")
            .path("checksum/config")
            .asText();
    assertThat(before).hasSize(64).isNotEqualTo(after);
    assertThat(annotations.path("checksum/secret").asText()).hasSize(64);
  }

  static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode item : array) {
      if (value.equals(item.path(field).asText())) {
        return item;
      }
    }
    throw new AssertionError("no entry with " + field + "=" + value + " in " + array);
  }
}
