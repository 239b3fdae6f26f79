package dev.converge.server.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.sync.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** REST answers to malformed input keep the one error shape {@code {code, message}} and status. */
@QuarkusTest
class RestStrictnessTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();

  private String space;
  private String token;
  private String replica;

  @BeforeEach
  void freshUser() {
    String alice = TestTokens.subject("alice");
    space = "user:" + alice;
    token = TestTokens.mint(alice);
    replica = "phone-" + alice;
  }

  private String pushBody(String docId) {
    return "{\"changesets\":["
        + CODEC.encodeChangeset(
            new Changeset(
                replica,
                1,
                space,
                "carts",
                docId,
                new Hlc(1, 0),
                Cart.of(new Document()).add(replica, "sku", 1)))
        + "]}";
  }

  private void assertNothingApplied() {
    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/v1/spaces/{space}/changes", space)
        .then()
        .statusCode(200)
        .body("head", equalTo(0));
  }

  @Test
  void cursorThatIsNotANumber_is400Invalid_namingTheParameter() {
    given()
        .auth()
        .oauth2(token)
        .queryParam("since", "abc")
        .when()
        .get("/v1/spaces/{space}/changes", space)
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid"))
        .body("message", startsWith("since must be an integer"));
    given()
        .auth()
        .oauth2(token)
        .queryParam("limit", "ten")
        .when()
        .get("/v1/spaces/{space}/changes", space)
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid"))
        .body("message", startsWith("limit must be an integer"));
    given()
        .auth()
        .oauth2(token)
        .queryParam("since", "-1")
        .when()
        .get("/v1/spaces/{space}/changes", space)
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid"))
        .body("message", startsWith("since must be within 0.."));
    given()
        .auth()
        .oauth2(token)
        .queryParam("limit", "x")
        .when()
        .get("/v1/spaces/{space}/documents", space)
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid"))
        .body("message", startsWith("limit must be an integer"));
  }

  @Test
  void bodyLargerThanTheLimit_is413TooLarge_withTheErrorBody() {
    String nineMiB = "{\"changesets\":[],\"pad\":\"" + "x".repeat(9 * 1024 * 1024) + "\"}";
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(nineMiB)
        .when()
        .post("/v1/changesets")
        .then()
        .statusCode(413)
        .contentType(ContentType.JSON)
        .body("code", equalTo("too_large"))
        .body("message", containsString("exceeds the limit"));
  }

  @Test
  void duplicateKeyInAPushBody_is400Malformed_andNothingIsApplied() {
    String body =
        pushBody("main").replace("\"docId\":\"main\"", "\"docId\":\"main\",\"docId\":\"other\"");
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(body)
        .when()
        .post("/v1/changesets")
        .then()
        .statusCode(400)
        .body("code", equalTo("malformed"))
        .body("message", containsString("Duplicate field 'docId'"));
    assertNothingApplied();
  }

  @Test
  void unpairedSurrogateInADocId_is400Invalid_namingThePath() {
    String body = pushBody("main").replace("\"docId\":\"main\"", "\"docId\":\"a\\ud800\"");
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(body)
        .when()
        .post("/v1/changesets")
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid"))
        .body("message", startsWith("$.changesets[0].docId: "));
    assertNothingApplied();
  }
}
