package dev.converge.server.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.converge.devtokens.DevKeyPair;
import dev.converge.devtokens.DevTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class MeResourceTest {

  @ConfigProperty(name = "converge.data-dir")
  Path dataDir;

  @ConfigProperty(name = "converge.jwt.issuer")
  String issuer;

  @ConfigProperty(name = "converge.jwt.audience")
  String audience;

  private String token(String iss, String aud, Instant expiresAt) {
    return DevTokens.mint(
        DevKeyPair.loadOrCreate(dataDir).privateKey(),
        iss,
        aud,
        "alice",
        List.of("team:1", "team:2"),
        Instant.now().minusSeconds(5),
        expiresAt);
  }

  private String validToken() {
    return token(issuer, audience, Instant.now().plus(Duration.ofMinutes(5)));
  }

  private static ValidatableResponse me(String token) {
    return given().auth().oauth2(token).when().get("/v1/me").then();
  }

  private static void assertUnauthenticated(ValidatableResponse response) {
    response
        .statusCode(401)
        .header("WWW-Authenticate", "Bearer")
        .body("code", equalTo("unauthenticated"))
        .body("message", notNullValue());
  }

  @Test
  void tokenMintedWithTheDevKey_isAccepted_andShowsSubjectAndSpaces() {
    me(validToken())
        .statusCode(200)
        .body("subject", equalTo("alice"))
        .body("spaces", contains("team:1", "team:2", "user:alice"))
        .body("tokenExpiresAt", notNullValue());
  }

  @Test
  void missingToken_isRejectedWith401() {
    assertUnauthenticated(given().when().get("/v1/me").then());
  }

  @Test
  void tamperedToken_isRejectedWith401() {
    String[] parts = validToken().split("\\.");
    // swap the payload for one granting more, keep the original signature
    String forged =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                ("{\"iss\":\""
                        + issuer
                        + "\",\"aud\":\""
                        + audience
                        + "\",\"sub\":\"alice\","
                        + "\"spaces\":[\"team:secret\"],\"exp\":"
                        + (Instant.now().getEpochSecond() + 300)
                        + "}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertUnauthenticated(me(parts[0] + "." + forged + "." + parts[2]));
  }

  @Test
  void tokenSignedWithAnotherKey_isRejectedWith401() throws NoSuchAlgorithmException {
    var generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String token =
        DevTokens.mint(
            generator.generateKeyPair().getPrivate(),
            issuer,
            audience,
            "alice",
            List.of(),
            Instant.now(),
            Instant.now().plusSeconds(300));
    assertUnauthenticated(me(token));
  }

  @Test
  void expiredToken_isRejectedWith401() {
    assertUnauthenticated(me(token(issuer, audience, Instant.now().minus(Duration.ofMinutes(10)))));
  }

  @Test
  void wrongAudience_isRejectedWith401() {
    assertUnauthenticated(me(token(issuer, "someone-else", Instant.now().plusSeconds(300))));
  }

  @Test
  void wrongIssuer_isRejectedWith401() {
    assertUnauthenticated(me(token("evil", audience, Instant.now().plusSeconds(300))));
  }
}
