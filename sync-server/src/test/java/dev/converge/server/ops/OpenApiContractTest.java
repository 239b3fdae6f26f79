package dev.converge.server.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The served API description is one clients can be generated from: every operation is described,
 * every error response carries the error body's schema, the CRDT payloads have their documented
 * shapes (not Jackson's getters), and the documented push example validates against the request
 * schema. Generates nothing; reads {@code /q/openapi} as JSON.
 */
@QuarkusTest
class OpenApiContractTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options");

  private JsonNode api;

  @BeforeEach
  void served() throws Exception {
    api =
        JSON.readTree(
            given()
                .queryParam("format", "json")
                .when()
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .extract()
                .asString());
  }

  @Test
  void everyOperation_hasADescription() {
    List<String> undescribed = new ArrayList<>();
    forEachOperation(
        (name, op) -> {
          if (op.path("description").asText("").isBlank()) {
            undescribed.add(name);
          }
        });
    assertThat(undescribed).isEmpty();
    assertThat(operations()).hasSizeGreaterThanOrEqualTo(6);
  }

  @Test
  void everyErrorResponse_hasTheErrorBodySchema() {
    List<String> without = new ArrayList<>();
    forEachOperation(
        (name, op) -> {
          Iterator<Map.Entry<String, JsonNode>> responses =
              op.path("responses").properties().iterator();
          boolean has401 = false;
          while (responses.hasNext()) {
            Map.Entry<String, JsonNode> response = responses.next();
            String code = response.getKey();
            has401 |= code.equals("401");
            if (code.startsWith("4") || code.startsWith("5")) {
              String ref =
                  response
                      .getValue()
                      .path("content")
                      .path("application/json")
                      .path("schema")
                      .path("$ref")
                      .asText("");
              if (!ref.equals("#/components/schemas/ErrorBody")
                  || response.getValue().path("description").asText("").isBlank()) {
                without.add(name + " " + code);
              }
            }
          }
          if (!has401) {
            without.add(name + " 401 missing");
          }
        });
    assertThat(without).isEmpty();
    JsonNode errorBody = api.at("/components/schemas/ErrorBody");
    assertThat(errorBody.path("properties").has("code")).isTrue();
    assertThat(errorBody.path("properties").has("message")).isTrue();
    assertThat(
            api.at(
                    "/paths/~1v1~1spaces~1{space}~1documents~1{collection}~1{docId}/get/responses/404/description")
                .asText())
        .startsWith("not_found");
  }

  @Test
  void crdtPayloads_haveTheirDocumentedShapes_notJacksonGetters() {
    JsonNode schemas = api.path("components").path("schemas");
    assertThat(schemas.has("JsonNode")).isFalse();
    assertThat(schemas.has("JsonNodeType")).isFalse();
    assertThat(schemas.at("/ChangeView/properties/delta/$ref").asText())
        .isEqualTo("#/components/schemas/CrdtDocument");
    assertThat(schemas.at("/DocumentView/properties/state/$ref").asText())
        .isEqualTo("#/components/schemas/CrdtDocument");
    assertThat(schemas.at("/SnapshotDocView/properties/state/$ref").asText())
        .isEqualTo("#/components/schemas/CrdtDocument");
    assertThat(schemas.at("/CrdtDocument/required").toString()).isEqualTo("[\"s\",\"c\"]");
    assertThat(
            api.at("/paths/~1v1~1changesets/post/requestBody/content/application~1json/schema/$ref")
                .asText())
        .isEqualTo("#/components/schemas/PushRequest");
  }

  @Test
  void thePushExample_validatesAgainstTheRequestSchema_andBrokenOnesDoNot() throws Exception {
    Schema push = schema("PushRequest");
    String example = Files.readString(Path.of("../docs/examples/push.json"));

    assertThat(push.validate(example, InputFormat.JSON)).isEmpty();

    ObjectNode broken = (ObjectNode) JSON.readTree(example);
    JsonNode changeset = broken.path("changesets").get(0);
    ((ObjectNode) changeset.path("delta")).remove("c");
    assertThat(messages(push.validate(broken.toString(), InputFormat.JSON))).isNotEmpty();

    String stringAmount = example.replace("[\"curl-demo-1\",1,2]", "[\"curl-demo-1\",1,\"2\"]");
    assertThat(stringAmount).isNotEqualTo(example);
    assertThat(messages(push.validate(stringAmount, InputFormat.JSON))).isNotEmpty();

    String badTag = example.replace("\"t\":\"ctr\"", "\"t\":\"counter\"");
    assertThat(messages(push.validate(badTag, InputFormat.JSON))).isNotEmpty();

    String noSeq = example.replace("\"seq\":1,", "");
    assertThat(messages(push.validate(noSeq, InputFormat.JSON))).isNotEmpty();
  }

  @Test
  void swaggerUi_isServedOutsideProduction() {
    given().when().get("/q/swagger-ui/").then().statusCode(200);
  }

  /** A JSON Schema 2020-12 validator for one component schema, its references resolved. */
  private Schema schema(String component) {
    ObjectNode root = JSON.createObjectNode();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.put("$ref", "#/components/schemas/" + component);
    root.set("components", api.path("components"));
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
        .getSchema(root.toString(), InputFormat.JSON);
  }

  private static List<String> messages(List<Error> errors) {
    return errors.stream().map(Error::toString).toList();
  }

  private List<String> operations() {
    List<String> names = new ArrayList<>();
    forEachOperation((name, op) -> names.add(name));
    return names;
  }

  private void forEachOperation(java.util.function.BiConsumer<String, JsonNode> action) {
    Iterator<Map.Entry<String, JsonNode>> paths = api.path("paths").properties().iterator();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().properties().iterator();
      while (ops.hasNext()) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (METHODS.contains(op.getKey())) {
          action.accept(op.getKey().toUpperCase() + " " + path.getKey(), op.getValue());
        }
      }
    }
  }
}
