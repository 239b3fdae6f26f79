package dev.converge.server.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.policy.Profile;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.sync.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST mirror: push, pull, read documents, and access control between two users. */
@QuarkusTest
class RestSyncTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();

  private String alice;
  private String space;
  private String token;
  private String replica;

  @BeforeEach
  void freshUser() {
    alice = TestTokens.subject("alice");
    space = "user:" + alice;
    token = TestTokens.mint(alice);
    replica = "cli-" + alice;
  }

  private String pushBody(Changeset... changesets) {
    StringBuilder body = new StringBuilder("{\"changesets\":[");
    for (int i = 0; i < changesets.length; i++) {
      body.append(i == 0 ? "" : ",").append(CODEC.encodeChangeset(changesets[i]));
    }
    return body.append("]}").toString();
  }

  @Test
  void pushThenPullThenRead_roundTrips() {
    Document cart = new Document();
    Changeset first =
        new Changeset(
            replica,
            1,
            space,
            "carts",
            "main",
            new Hlc(10, 0),
            Cart.of(cart).add(replica, "sku-1", 2));
    Changeset second =
        new Changeset(
            replica,
            2,
            space,
            "carts",
            "main",
            new Hlc(11, 0),
            Cart.of(cart).add(replica, "sku-2", 1));

    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(pushBody(first, second))
        .when()
        .post("/v1/changesets")
        .then()
        .statusCode(200)
        .body("replicaId", equalTo(replica))
        .body("upToSeq", equalTo(2))
        .body("results.serverSeq", equalTo(List.of(1, 2)))
        .body("rejected", hasSize(0));

    given()
        .auth()
        .oauth2(token)
        .queryParam("since", 1)
        .when()
        .get("/v1/spaces/{space}/changes", space)
        .then()
        .statusCode(200)
        .body("from", equalTo(1))
        .body("to", equalTo(2))
        .body("head", equalTo(2))
        .body("more", equalTo(false))
        .body("items", hasSize(1))
        .body("items[0].origin.seq", equalTo(2));

    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/v1/spaces/{space}/documents/carts/main", space)
        .then()
        .statusCode(200)
        .body("headSeq", equalTo(2))
        .body("value.items.sku-1.qty", equalTo(2))
        .body("value.items.sku-2.qty", equalTo(1))
        .body("conflictCount", equalTo(0));

    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/v1/spaces/{space}/documents", space)
        .then()
        .statusCode(200)
        .body("head", equalTo(2))
        .body("documents", hasSize(1))
        .body("documents[0].docId", equalTo("main"))
        .body("next", nullValue());

    String snapshot =
        given()
            .auth()
            .oauth2(token)
            .when()
            .get("/v1/spaces/{space}/snapshot", space)
            .then()
            .statusCode(200)
            .body("head", equalTo(2))
            .extract()
            .body()
            .asString();
    assertThat(CODEC.decodeDocument(CODEC.parse(snapshot).get("docs").get(0).get("state"), "$"))
        .isEqualTo(cart);
  }

  @Test
  void documentWithConcurrentProfileValues_reportsItsConflicts() {
    Document a =
        Profile.of(new Document())
            .set("a-" + alice, "name", TextNode.valueOf("Ada"), new Hlc(100, 0));
    Document b =
        Profile.of(new Document())
            .set("b-" + alice, "name", TextNode.valueOf("Grace"), new Hlc(200, 0));
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(pushBody(new Changeset("a-" + alice, 1, space, "profiles", "me", new Hlc(100, 0), a)))
        .post("/v1/changesets")
        .then()
        .statusCode(200);
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(pushBody(new Changeset("b-" + alice, 1, space, "profiles", "me", new Hlc(200, 0), b)))
        .post("/v1/changesets")
        .then()
        .statusCode(200);

    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/v1/spaces/{space}/documents/profiles/me", space)
        .then()
        .statusCode(200)
        .body("value.name", equalTo("Grace"))
        .body("conflictCount", equalTo(1))
        .body("conflicts[0].path", equalTo(List.of("name")))
        .body("conflicts[0].losers[0].value", equalTo("Ada"))
        .body("conflicts[0].losers[0].replicaId", equalTo("a-" + alice));
  }

  @Test
  void anotherUsersSpace_isForbidden_existingOrNot_andNothingChanges() {
    Changeset mine =
        new Changeset(
            replica,
            1,
            space,
            "carts",
            "main",
            new Hlc(10, 0),
            Cart.of(new Document()).add(replica, "a", 1));
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body(pushBody(mine))
        .post("/v1/changesets")
        .then()
        .statusCode(200);

    String bob = TestTokens.subject("bob");
    String bobToken = TestTokens.mint(bob);
    for (String path :
        List.of(
            "/v1/spaces/{space}/changes",
            "/v1/spaces/{space}/documents",
            "/v1/spaces/{space}/documents/carts/main",
            "/v1/spaces/{space}/snapshot")) {
      given()
          .auth()
          .oauth2(bobToken)
          .when()
          .get(path, space)
          .then()
          .statusCode(403)
          .body("code", equalTo("forbidden_space"));
      given()
          .auth()
          .oauth2(bobToken)
          .when()
          .get(path, "team:does-not-exist")
          .then()
          .statusCode(403)
          .body("code", equalTo("forbidden_space"));
    }
    Changeset intrusion =
        new Changeset(
            "b-" + bob,
            1,
            space,
            "carts",
            "main",
            new Hlc(10, 0),
            Cart.of(new Document()).add("b-" + bob, "evil", 1));
    given()
        .auth()
        .oauth2(bobToken)
        .contentType(ContentType.JSON)
        .body(pushBody(intrusion))
        .post("/v1/changesets")
        .then()
        .statusCode(200)
        .body("upToSeq", equalTo(1))
        .body("results", hasSize(0))
        .body("rejected[0].code", equalTo("forbidden_space"))
        .body("rejected[0].seq", equalTo(1));

    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/v1/spaces/{space}/documents/carts/main", space)
        .then()
        .statusCode(200)
        .body("headSeq", equalTo(1))
        .body("value.items.evil", nullValue());
  }

  @Test
  void badRequests_getAClearCodeAndMessage() {
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body("{\"changesets\":[{\"replicaId\":\"x\",\"seq\":-1}]}")
        .post("/v1/changesets")
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid"))
        .body("message", equalTo("$.changesets[0].seq: must be >= 1, got -1"));
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body("{\"changesets\":")
        .post("/v1/changesets")
        .then()
        .statusCode(400)
        .body("code", equalTo("malformed"));
    given()
        .auth()
        .oauth2(token)
        .queryParam("limit", 0)
        .when()
        .get("/v1/spaces/{space}/changes", space)
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid"));
    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/v1/spaces/{space}/documents/carts/nope", space)
        .then()
        .statusCode(404)
        .body("code", equalTo("not_found"));
    given()
        .when()
        .get("/v1/spaces/{space}/changes", space)
        .then()
        .statusCode(401)
        .body("code", equalTo("unauthenticated"));
  }
}
