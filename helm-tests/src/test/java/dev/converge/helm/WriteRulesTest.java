package dev.converge.helm;

import static dev.converge.helm.ChartUnderTest.sets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Write rules per collection (docs/access-control.md section 2) and the limits reach the server:
 * the rules as the properties file it reads from config/ under its working directory, the limits as
 * the environment variables it reads.
 */
class WriteRulesTest {

  private static Path rules(String collection, ObjectNode rule) {
    ObjectNode values = ChartUnderTest.YAML.createObjectNode();
    values
        .putObject("config")
        .putObject("writeRules")
        .putObject("collections")
        .set(collection, rule);
    return ChartUnderTest.writeValues(values);
  }

  private static Path notesAndCarts() {
    ObjectNode values = ChartUnderTest.YAML.createObjectNode();
    ObjectNode collections =
        values.putObject("config").putObject("writeRules").putObject("collections");
    ObjectNode notes = collections.putObject("notes");
    notes.putObject("fields").put("title", "reg").put("tags", "set").put("*", "map<{qty: ctr}>");
    notes.put("maxDocumentBytes", 65536);
    collections.putObject("carts").put("maxDocumentBytes", 1048576);
    return ChartUnderTest.writeValues(values);
  }

  @Test
  void byDefault_noRulesAreMounted_theServersOwnApply() {
    Manifests m = ChartUnderTest.render(Map.of());
    assertThat(m.all("ConfigMap"))
        .extracting(c -> c.path("metadata").path("name").asText())
        .doesNotContain(ChartUnderTest.FULLNAME + "-rules");
    assertThat(m.container().path("volumeMounts").findValuesAsText("name"))
        .doesNotContain("write-rules");
  }

  @Test
  void collectionRules_becomeTheServersProperties_mountedInItsConfigDirectory() {
    Manifests m =
        ChartUnderTest.render(List.of(ChartUnderTest.REQUIRED_VALUES, notesAndCarts()), Map.of());

    String properties =
        m.named("ConfigMap", ChartUnderTest.FULLNAME + "-rules")
            .path("data")
            .path("application.properties")
            .asText();
    assertThat(properties.lines().map(String::trim).filter(l -> !l.isEmpty()))
        .containsExactlyInAnyOrder(
            "converge.rules.collections.carts.max-document-bytes=1048576",
            "converge.rules.collections.notes.fields.\"*\"=map<{qty: ctr}>",
            "converge.rules.collections.notes.fields.\"tags\"=set",
            "converge.rules.collections.notes.fields.\"title\"=reg",
            "converge.rules.collections.notes.max-document-bytes=65536");

    JsonNode mount = null;
    for (JsonNode candidate : m.container().path("volumeMounts")) {
      if (candidate.path("name").asText().equals("write-rules")) {
        mount = candidate;
      }
    }
    assertThat(mount).as("the rules are mounted").isNotNull();
    // The image's working directory (quarkus.jib.working-directory): Quarkus reads
    // config/application.properties there at start.
    assertThat(mount.path("mountPath").asText()).isEqualTo("/home/jboss/config");
    assertThat(mount.path("readOnly").asBoolean()).isTrue();
    assertThat(m.podSpec().path("volumes").findValuesAsText("name")).contains("write-rules");
    // A change of the rules rolls the pods.
    assertThat(
            m.deployment()
                .path("spec")
                .path("template")
                .path("metadata")
                .path("annotations")
                .path("checksum/rules")
                .asText())
        .hasSize(64);
  }

  @Test
  void aTypeExpressionThatCouldBreakThePropertiesFile_isRefused() {
    ObjectNode rule = ChartUnderTest.YAML.createObjectNode();
    rule.putObject("fields").put("title", "reg\nconverge.rules.max-document-bytes=0");
    assertThatThrownBy(
            () ->
                ChartUnderTest.template(
                        List.of(ChartUnderTest.REQUIRED_VALUES, rules("notes", rule)), Map.of())
                    .call())
        .hasMessageContaining("does not match pattern");
    ObjectNode ok = ChartUnderTest.YAML.createObjectNode();
    ok.putObject("fields").put("title", "reg");
    assertThatThrownBy(
            () ->
                ChartUnderTest.template(
                        List.of(ChartUnderTest.REQUIRED_VALUES, rules("no tes", ok)), Map.of())
                    .call())
        .hasMessageContaining("does not match pattern");
  }

  @Test
  void limitsAndQuotas_reachTheServersEnvironment() {
    Map<String, String> env =
        ChartUnderTest.render(
                sets(
                    "config.limits.userChangesetsPerSecond", 50,
                    "config.limits.userBurst", 500,
                    "config.limits.spaceChangesetsPerSecond", 400,
                    "config.limits.spaceBurst", 4000,
                    "config.limits.maxSpaceBytes", 1073741824,
                    "config.maxDocumentBytes", 1048576))
            .environment();
    assertThat(env)
        .containsEntry("CONVERGE_LIMITS_USER_CHANGESETS_PER_SECOND", "50")
        .containsEntry("CONVERGE_LIMITS_USER_BURST", "500")
        .containsEntry("CONVERGE_LIMITS_SPACE_CHANGESETS_PER_SECOND", "400")
        .containsEntry("CONVERGE_LIMITS_SPACE_BURST", "4000")
        .containsEntry("CONVERGE_LIMITS_MAX_SPACE_BYTES", "1073741824")
        .containsEntry("CONVERGE_RULES_MAX_DOCUMENT_BYTES", "1048576");
  }
}
