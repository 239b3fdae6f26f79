package dev.converge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart sets only environment variables the server reads: a misspelt name would be silently
 * ignored by Quarkus and the server would run on its development default.
 */
class ServerEnvironmentTest {

  /**
   * Environment variables sync-server reads. All but the last are {@code ${NAME:default}}
   * references in its application.properties; MP_JWT_VERIFY_PUBLICKEY_LOCATION is the MicroProfile
   * Config environment form of {@code mp.jwt.verify.publickey.location}. Both facts are checked
   * against the server's sources below.
   */
  static final Set<String> SERVER_READS =
      Set.of(
          "CONVERGE_DB_URL",
          "CONVERGE_DB_USER",
          "CONVERGE_DB_PASSWORD",
          "CONVERGE_DB_POOL_SIZE",
          "CONVERGE_HTTP_HOST",
          "CONVERGE_HTTP_PORT",
          "CONVERGE_DATA_DIR",
          "CONVERGE_JWT_ISSUER",
          "CONVERGE_JWT_AUDIENCE",
          "CONVERGE_JWT_EXPIRY_LEEWAY",
          "CONVERGE_LOG_RETENTION",
          "CONVERGE_LOG_COMPACTION_INTERVAL",
          "CONVERGE_COUNTER_COMPACTION_ENABLED",
          "CONVERGE_COUNTER_COMPACTION_INTERVAL",
          "CONVERGE_COUNTER_COMPACTION_SPACES_PER_TICK",
          "CONVERGE_COUNTER_COMPACTION_DOCUMENTS_PER_SPACE",
          "CONVERGE_COUNTER_COMPACTION_MAX_ENTRIES",
          "CONVERGE_PUSH_MAX_CHANGESETS",
          "CONVERGE_MAX_FRAME_BYTES",
          "CONVERGE_MAX_MESSAGE_CHARS",
          "CONVERGE_MAX_OUTBOUND_BYTES",
          "CONVERGE_MAX_INBOUND_BYTES_PER_SECOND",
          "CONVERGE_MAX_CONNECTIONS_PER_USER",
          "CONVERGE_HELLO_TIMEOUT",
          "CONVERGE_LIMITS_USER_CHANGESETS_PER_SECOND",
          "CONVERGE_LIMITS_USER_BURST",
          "CONVERGE_LIMITS_SPACE_CHANGESETS_PER_SECOND",
          "CONVERGE_LIMITS_SPACE_BURST",
          "CONVERGE_LIMITS_MAX_SPACE_BYTES",
          "CONVERGE_RULES_MAX_DOCUMENT_BYTES",
          "CONVERGE_CANARY_ENABLED",
          "CONVERGE_CANARY_INTERVAL",
          "CONVERGE_CANARY_TIMEOUT",
          "CONVERGE_CANARY_TOKEN_LOCATION",
          "CONVERGE_CANARY_SIGNING_KEY_LOCATION",
          "CONVERGE_CANARY_READER_SERVER_URI",
          "CONVERGE_SERVER_ID",
          "MP_JWT_VERIFY_PUBLICKEY_LOCATION");

  private static final String PUBLIC_KEY_PROPERTY = "mp.jwt.verify.publickey.location";

  @Test
  void theListMatchesTheServersApplicationProperties() {
    Set<String> referenced = environmentReferences(read(applicationProperties()));

    assertThat(referenced)
        .as("${ENV} references in %s", applicationProperties())
        .containsAll(
            SERVER_READS.stream()
                .filter(n -> !n.equals("MP_JWT_VERIFY_PUBLICKEY_LOCATION"))
                .collect(Collectors.toSet()));
  }

  @Test
  void thePublicKeyVariableIsTheEnvironmentFormOfAPropertyTheServerReads() throws IOException {
    assertThat(environmentForm(PUBLIC_KEY_PROPERTY)).isEqualTo("MP_JWT_VERIFY_PUBLICKEY_LOCATION");
    assertThat(read(applicationProperties())).contains("MP_JWT_VERIFY_PUBLICKEY_LOCATION");
    try (Stream<Path> sources = Files.walk(ChartUnderTest.SERVER.resolve("src/main/java"))) {
      assertThat(
              sources.filter(p -> p.toString().endsWith(".java")).map(ServerEnvironmentTest::read))
          .as("server sources reading %s", PUBLIC_KEY_PROPERTY)
          .anyMatch(source -> source.contains("\"" + PUBLIC_KEY_PROPERTY + "\""));
    }
  }

  @Test
  void defaultRelease_setsOnlyVariablesTheServerReads() {
    assertSetsOnlyServerVariables(ChartUnderTest.render(Map.of()));
  }

  @Test
  void existingSecretRelease_setsOnlyVariablesTheServerReads() {
    assertSetsOnlyServerVariables(
        ChartUnderTest.render(
            ChartUnderTest.sets(
                "database.existingSecret", "pg-app",
                "database.existingSecretUserKey", "username",
                "jwt.existingSecret", "idp-key")));
  }

  @Test
  void productionRelease_setsOnlyVariablesTheServerReads() {
    assertSetsOnlyServerVariables(
        ChartUnderTest.render(List.of(ChartUnderTest.PRODUCTION_VALUES), Map.of()));
  }

  @Test
  void everyReleaseSetsTheDatabaseAndKeySettings() {
    assertThat(ChartUnderTest.render(Map.of()).environment())
        .containsKeys(
            "CONVERGE_DB_URL",
            "CONVERGE_DB_USER",
            "CONVERGE_DB_PASSWORD",
            "CONVERGE_JWT_ISSUER",
            "CONVERGE_JWT_AUDIENCE",
            "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
            "CONVERGE_HTTP_PORT")
        .containsEntry("CONVERGE_DB_URL", ChartUnderTest.DB_URL)
        .containsEntry("CONVERGE_JWT_ISSUER", ChartUnderTest.JWT_ISSUER);
  }

  private static void assertSetsOnlyServerVariables(Manifests manifests) {
    assertThat(manifests.environment().keySet()).isNotEmpty().isSubsetOf(SERVER_READS);
  }

  /** Names in {@code ${NAME:default}} or {@code ${NAME}} that look like environment variables. */
  static Set<String> environmentReferences(String properties) {
    Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(properties);
    Set<String> names = new java.util.TreeSet<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** MicroProfile Config's environment form: non-alphanumerics to '_', upper case. */
  static String environmentForm(String property) {
    return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
  }

  private static Path applicationProperties() {
    return ChartUnderTest.SERVER.resolve("src/main/resources/application.properties");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
