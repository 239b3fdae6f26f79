package dev.converge.helm;

import static dev.converge.helm.ChartUnderTest.sets;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The database password and the JWT key live in Secrets only, or in the operator's own Secrets. */
class SecretHandlingTest {

  /** A line of the PEM body: distinctive, and what a careless template would copy. */
  private static final String KEY_MATERIAL =
      ChartUnderTest.JWT_PUBLIC_KEY_PEM.lines().skip(1).findFirst().orElseThrow();

  @Test
  void chartSecrets_holdThePasswordAndTheKey() {
    Manifests m = ChartUnderTest.render(Map.of());

    assertThat(decode(m.named("Secret", ChartUnderTest.FULLNAME + "-db"), "password"))
        .isEqualTo(ChartUnderTest.DB_PASSWORD);
    assertThat(decode(m.named("Secret", ChartUnderTest.FULLNAME + "-jwt"), "public.pem"))
        .isEqualTo(ChartUnderTest.JWT_PUBLIC_KEY_PEM);
  }

  @Test
  void noSecretValue_appearsOutsideSecrets() {
    Manifests m = ChartUnderTest.render(Map.of());
    List<String> forbidden =
        List.of(
            ChartUnderTest.DB_PASSWORD,
            b64(ChartUnderTest.DB_PASSWORD),
            KEY_MATERIAL,
            b64(ChartUnderTest.JWT_PUBLIC_KEY_PEM));

    for (JsonNode configMap : m.all("ConfigMap")) {
      assertThat(configMap.toString())
          .as("ConfigMap %s", configMap.path("metadata").path("name"))
          .doesNotContain(forbidden);
    }
    m.objects().stream()
        .filter(o -> !o.path("kind").asText().equals("Secret"))
        .forEach(o -> assertThat(o.toString()).as("%s", o.path("kind")).doesNotContain(forbidden));
  }

  @Test
  void password_reachesTheServerBySecretReference() {
    JsonNode password =
        RenderDefaultsTest.find(
            ChartUnderTest.render(Map.of()).container().path("env"),
            "name",
            "CONVERGE_DB_PASSWORD");

    assertThat(password.has("value")).isFalse();
    assertThat(password.path("valueFrom").path("secretKeyRef").path("name").asText())
        .isEqualTo(ChartUnderTest.FULLNAME + "-db");
    assertThat(password.path("valueFrom").path("secretKeyRef").path("key").asText())
        .isEqualTo("password");
  }

  @Test
  void publicKey_isMountedAsAFile_andTheServerIsToldWhere() {
    Manifests m = ChartUnderTest.render(Map.of());

    assertKeyMountedFrom(m, ChartUnderTest.FULLNAME + "-jwt", "public.pem");
  }

  @Test
  void existingSecrets_areReferenced_andTheChartCreatesNone() {
    Manifests m =
        ChartUnderTest.render(
            List.of(ChartUnderTest.REQUIRED_VALUES),
            sets(
                "database.password", "",
                "database.existingSecret", "converge-db-app",
                "database.existingSecretPasswordKey", "pgpass",
                "database.existingSecretUserKey", "username",
                "jwt.publicKey", "",
                "jwt.existingSecret", "idp-public-key",
                "jwt.existingSecretKey", "rsa.pem"));

    assertThat(m.all("Secret")).isEmpty();
    JsonNode env = m.container().path("env");
    JsonNode password = RenderDefaultsTest.find(env, "name", "CONVERGE_DB_PASSWORD");
    assertThat(password.path("valueFrom").path("secretKeyRef").path("name").asText())
        .isEqualTo("converge-db-app");
    assertThat(password.path("valueFrom").path("secretKeyRef").path("key").asText())
        .isEqualTo("pgpass");
    JsonNode user = RenderDefaultsTest.find(env, "name", "CONVERGE_DB_USER");
    assertThat(user.path("valueFrom").path("secretKeyRef").path("key").asText())
        .isEqualTo("username");
    // the user now comes from the Secret, not from the ConfigMap
    assertThat(m.one("ConfigMap").path("data").has("CONVERGE_DB_USER")).isFalse();
    assertKeyMountedFrom(m, "idp-public-key", "rsa.pem");
  }

  private static void assertKeyMountedFrom(Manifests m, String secretName, String key) {
    JsonNode volume =
        m.podSpec().findParents("secret").stream()
            .filter(v -> v.path("secret").path("secretName").asText().equals(secretName))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no volume from Secret " + secretName));
    assertThat(volume.path("secret").path("items").get(0).path("key").asText()).isEqualTo(key);
    String file = volume.path("secret").path("items").get(0).path("path").asText();
    JsonNode mount =
        RenderDefaultsTest.find(
            m.container().path("volumeMounts"), "name", volume.path("name").asText());
    assertThat(mount.path("readOnly").asBoolean()).isTrue();

    assertThat(m.environment())
        .containsEntry(
            "MP_JWT_VERIFY_PUBLICKEY_LOCATION", mount.path("mountPath").asText() + "/" + file);
  }

  private static String decode(JsonNode secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.path("data").path(key).asText()), StandardCharsets.UTF_8);
  }

  private static String b64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
