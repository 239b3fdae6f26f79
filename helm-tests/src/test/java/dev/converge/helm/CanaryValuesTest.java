package dev.converge.helm;

import static dev.converge.helm.ChartUnderTest.sets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The canary (docs/operations.md "Canary"): off by default, on in production with its Secret. */
class CanaryValuesTest {

  private static JsonNode volume(Manifests m, String name) {
    for (JsonNode v : m.podSpec().path("volumes")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    return null;
  }

  @Test
  void byDefault_theCanaryIsOff_andNoCredentialIsMounted() {
    Manifests m = ChartUnderTest.render(Map.of());
    assertThat(m.environment())
        .containsEntry("CONVERGE_CANARY_ENABLED", "false")
        .doesNotContainKeys(
            "CONVERGE_CANARY_TOKEN_LOCATION", "CONVERGE_CANARY_SIGNING_KEY_LOCATION");
    assertThat(volume(m, "canary-credential")).isNull();
  }

  @Test
  void production_turnsItOn_withTheTokenFromItsSecret() {
    Manifests m = ChartUnderTest.render(List.of(ChartUnderTest.PRODUCTION_VALUES), Map.of());
    assertThat(m.environment())
        .containsEntry("CONVERGE_CANARY_ENABLED", "true")
        .containsEntry("CONVERGE_CANARY_INTERVAL", "PT30S")
        .containsEntry("CONVERGE_CANARY_TOKEN_LOCATION", "/etc/converge/canary/token");
    assertThat(volume(m, "canary-credential").path("secret").path("secretName").asText())
        .isEqualTo("converge-canary");
    assertThat(m.container().path("volumeMounts").findValuesAsText("mountPath"))
        .contains("/etc/converge/canary");
  }

  @Test
  void aSigningKey_isPassedAsTheKeyLocation() {
    Manifests m =
        ChartUnderTest.render(
            sets(
                "canary.enabled", true,
                "canary.credential", "key",
                "canary.existingSecret", "canary-key",
                "canary.existingSecretKey", "private.pem"));
    assertThat(m.environment())
        .containsEntry("CONVERGE_CANARY_SIGNING_KEY_LOCATION", "/etc/converge/canary/private.pem")
        .doesNotContainKey("CONVERGE_CANARY_TOKEN_LOCATION");
  }

  @Test
  void theReader_goesThroughTheService_bySelfOrAGivenUri() {
    Manifests byDefault = ChartUnderTest.render(Map.of());
    assertThat(byDefault.environment().get("CONVERGE_CANARY_READER_SERVER_URI"))
        .matches("ws://[a-z0-9-]+\\.[a-z0-9-]+\\.svc:80/v1/sync");
    assertThat(ChartUnderTest.render(sets("canary.reader", "self")).environment())
        .doesNotContainKey("CONVERGE_CANARY_READER_SERVER_URI");
    assertThat(
            ChartUnderTest.render(sets("canary.reader", "ws://converge-0.converge:8080/v1/sync"))
                .environment())
        .containsEntry(
            "CONVERGE_CANARY_READER_SERVER_URI", "ws://converge-0.converge:8080/v1/sync");
    assertThatThrownBy(
            () ->
                ChartUnderTest.template(
                        List.of(ChartUnderTest.REQUIRED_VALUES), sets("canary.reader", "elsewhere"))
                    .call())
        .hasMessageContaining("reader");
  }

  @Test
  void enabledWithoutACredential_isRefused() {
    assertThatThrownBy(
            () ->
                ChartUnderTest.template(
                        List.of(ChartUnderTest.REQUIRED_VALUES), sets("canary.enabled", true))
                    .call())
        .hasMessageContaining("canary.existingSecret");
  }
}
