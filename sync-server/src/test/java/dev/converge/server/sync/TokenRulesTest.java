package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.hamcrest.Matchers.equalTo;

import dev.converge.core.protocol.Message;
import dev.converge.devtokens.DevKeyPair;
import dev.converge.devtokens.DevTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.jwt.build.Jwt;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Token rules with the default leeway of zero: expired is expired, a token issued in the future and
 * a token without a subject are refused with 401 at REST and at the upgrade, and in {@code auth}.
 */
@QuarkusTest
class TokenRulesTest {

  @TestHTTPResource("/")
  URI server;

  private final PrivateKey key =
      DevKeyPair.loadOrCreate(Path.of("target/converge-data")).privateKey();
  private String alice;
  private String space;

  @BeforeEach
  void freshUser() {
    alice = TestTokens.subject("alice");
    space = "user:" + alice;
  }

  private String token(Instant issuedAt, Instant expiresAt) {
    return DevTokens.mint(key, "converge-dev", "converge", alice, List.of(), issuedAt, expiresAt);
  }

  private static int upgradeStatus(String token, URI server) {
    Throwable failure = catchThrowable(() -> WsClient.connect(server, token).close());
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    assertThat(cause).as("the upgrade is refused").isInstanceOf(WebSocketHandshakeException.class);
    return ((WebSocketHandshakeException) cause).getResponse().statusCode();
  }

  private void assertRefusedEverywhere(String token) {
    given()
        .auth()
        .oauth2(token)
        .when()
        .get("/v1/spaces/{space}/changes", space)
        .then()
        .statusCode(401)
        .body("code", equalTo("unauthenticated"));
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body("{\"changesets\":[]}")
        .when()
        .post("/v1/changesets")
        .then()
        .statusCode(401)
        .body("code", equalTo("unauthenticated"));
    assertThat(upgradeStatus(token, server)).isEqualTo(401);
  }

  @Test
  void tokenExpiredSecondsAgo_isRefused_withoutTheFormerSixtySecondGrace() {
    assertRefusedEverywhere(token(Instant.now().minusSeconds(300), Instant.now().minusSeconds(5)));
  }

  @Test
  void tokenIssuedInTheFuture_isRefused() throws Exception {
    String future = token(Instant.now().plusSeconds(300), Instant.now().plusSeconds(900));
    assertRefusedEverywhere(future);
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, "phone-" + alice, List.of()));
      client.expect(Message.Welcome.class);
      client.send(new Message.Auth(future));
      Message.Error error = client.expect(Message.Error.class);
      assertThat(error.code()).isEqualTo("token_invalid");
      assertThat(error.message()).contains("issued in the future");
    }
  }

  @Test
  void tokenWithABlankSubject_isRefused_notAServerError() {
    for (String subject : List.of("", " ")) {
      String blank =
          Jwt.issuer("converge-dev")
              .audience("converge")
              .subject(subject)
              .issuedAt(Instant.now().minusSeconds(5))
              .expiresAt(Instant.now().plusSeconds(600))
              .sign(key);
      assertRefusedEverywhere(blank);
    }
  }
}
