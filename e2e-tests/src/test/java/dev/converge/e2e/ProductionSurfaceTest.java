package dev.converge.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged server runs the production profile: the Swagger UI, built in only for dev mode and
 * tests ({@code quarkus.swagger-ui.always-include=false}; {@code OpenApiContractTest} checks it is
 * served there), is not part of it. The OpenAPI document itself stays published, so clients can
 * still be generated from a running server.
 */
class ProductionSurfaceTest {

  @BeforeAll
  static void startServer() {
    TestServer.uri();
  }

  @Test
  void swaggerUi_isAbsent_fromThePackagedServer() {
    for (String path :
        new String[] {"/q/swagger-ui", "/q/swagger-ui/", "/q/swagger-ui/index.html"}) {
      int status = given().redirects().follow(false).when().get(path).then().extract().statusCode();
      assertThat(status).as("GET %s on the packaged server", path).isEqualTo(404);
    }
  }

  @Test
  void theOpenApiDocument_isStillServed_soThe404IsNotAnUnreachableServer() {
    String body =
        given()
            .accept("application/json")
            .when()
            .get("/q/openapi")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(body).contains("\"openapi\"").contains("Converge sync API");
  }
}
