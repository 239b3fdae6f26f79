package dev.converge.server.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The checked-in API description is exactly what the server serves. */
@QuarkusTest
class OpenApiDocumentTest {

  private static final Path CHECKED_IN = Path.of("../openapi/sync-api.yaml");

  @Test
  void checkedInDescription_equalsTheServedOne() throws Exception {
    String served =
        given()
            .accept("application/yaml")
            .when()
            .get("/q/openapi")
            .then()
            .statusCode(200)
            .extract()
            .body()
            .asString();
    assertThat(Files.exists(CHECKED_IN)).as("openapi/sync-api.yaml exists").isTrue();
    assertThat(Files.readString(CHECKED_IN).strip())
        .as(
            "openapi/sync-api.yaml differs from the served API; after a deliberate API change run "
                + "'mvn -pl sync-server -am package -DskipTests && cp sync-server/target/openapi/openapi.yaml openapi/sync-api.yaml'")
        .isEqualTo(served.strip());
  }
}
