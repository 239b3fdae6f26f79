package dev.converge.helm;

import static dev.converge.helm.ChartUnderTest.sets;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** values.schema.json refuses values that would give a broken or insecure release. */
class SchemaValidationTest {

  private static final String SCHEMA_ERROR = "values don't meet the specifications of the schema";

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        Arguments.of("replicaCount", "two", "/replicaCount"),
        Arguments.of("replicaCount", 0, "/replicaCount"),
        Arguments.of("database.url", "mysql://db:3306/converge", "/database/url"),
        Arguments.of("database.url", "jdbc:postgresql://db:5432/converge", "/database/url"),
        Arguments.of("database.poolSize", 0, "/database/poolSize"),
        Arguments.of("jwt.publicKey", "not-a-pem", "/jwt/publicKey"),
        Arguments.of("jwt.issuer", "", "/jwt/issuer"),
        Arguments.of("image.pullPolicy", "Sometimes", "/image/pullPolicy"),
        Arguments.of("service.type", "ExternalName", "/service/type"),
        Arguments.of("containerPort", 80, "/containerPort"),
        Arguments.of("config.logRetention", "30 days", "/config/logRetention"),
        Arguments.of("config.pushMaxChangesets", -1, "/config/pushMaxChangesets"),
        Arguments.of("autoscaling.maxReplicas", "many", "/autoscaling/maxReplicas"),
        Arguments.of("podAntiAffinity", "sometimes", "/podAntiAffinity"),
        Arguments.of("podSecurityContext.runAsNonRoot", false, "/podSecurityContext/runAsNonRoot"),
        Arguments.of(
            "securityContext.allowPrivilegeEscalation",
            true,
            "/securityContext/allowPrivilegeEscalation"),
        Arguments.of(
            "metrics.serviceMonitor.interval", "often", "/metrics/serviceMonitor/interval"),
        Arguments.of("replicas", 3, "replicas"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("invalidSettings")
  void invalidSetting_isRejected(String key, Object value, String reportedAt) {
    var command =
        ChartUnderTest.template(List.of(ChartUnderTest.REQUIRED_VALUES), sets(key, value));

    assertThatThrownBy(command::call)
        .hasMessageContaining(SCHEMA_ERROR)
        .hasMessageContaining(reportedAt);
  }

  @Test
  void missingDatabaseUrl_isRejected() {
    assertRejectedWithout("database", "url", "/database/url");
  }

  @Test
  void missingDatabasePassword_andNoExistingSecret_isRejected() {
    assertRejectedWithout("database", "password", "/database/password");
  }

  @Test
  void missingDatabaseUser_isRejected() {
    assertRejectedWithout("database", "user", "/database/user");
  }

  @Test
  void missingJwtPublicKey_andNoExistingSecret_isRejected() {
    assertRejectedWithout("jwt", "publicKey", "/jwt/publicKey");
  }

  @Test
  void noValuesAtAll_isRejected_naming_database_and_key() {
    var command = ChartUnderTest.template(List.of(), Map.of());

    assertThatThrownBy(command::call)
        .hasMessageContaining(SCHEMA_ERROR)
        .hasMessageContaining("/database/url")
        .hasMessageContaining("/jwt/publicKey");
  }

  @Test
  void existingSecrets_satisfyThePasswordAndKeyRequirements() {
    ObjectNode values = ChartUnderTest.requiredValues();
    ((ObjectNode) values.path("database")).remove("password");
    ((ObjectNode) values.path("database")).put("existingSecret", "pg");
    ((ObjectNode) values.path("jwt")).remove("publicKey");
    ((ObjectNode) values.path("jwt")).put("existingSecret", "idp");
    Path file = ChartUnderTest.writeValues(values);

    assertThatCode(() -> ChartUnderTest.render(List.of(file), Map.of())).doesNotThrowAnyException();
  }

  @Test
  void userFromSecret_needsTheSecret() {
    ObjectNode values = ChartUnderTest.requiredValues();
    ((ObjectNode) values.path("database")).remove("user");
    ((ObjectNode) values.path("database")).put("existingSecretUserKey", "username");
    Path file = ChartUnderTest.writeValues(values);

    assertThatThrownBy(() -> ChartUnderTest.render(List.of(file), Map.of()))
        .hasMessageContaining(SCHEMA_ERROR)
        .hasMessageContaining("/database/existingSecret");
  }

  private static void assertRejectedWithout(String section, String field, String reportedAt) {
    ObjectNode values = ChartUnderTest.requiredValues();
    ((ObjectNode) values.path(section)).remove(field);
    Path file = ChartUnderTest.writeValues(values);

    assertThatThrownBy(() -> ChartUnderTest.render(List.of(file), Map.of()))
        .hasMessageContaining(SCHEMA_ERROR)
        .hasMessageContaining(reportedAt);
  }
}
