package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.devtokens.DevKeyPair;
import dev.converge.devtokens.DevTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tokens at the upgrade and during the session: expiry, refresh, revocation. */
@QuarkusTest
class AuthLifecycleTest {

  @TestHTTPResource("/")
  URI server;

  private static int handshakeStatus(Throwable failure) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    assertThat(cause).isInstanceOf(WebSocketHandshakeException.class);
    return ((WebSocketHandshakeException) cause).getResponse().statusCode();
  }

  @Test
  void expiredToken_isRefusedAtTheUpgrade() {
    String alice = TestTokens.subject("alice");
    String expired =
        DevTokens.mint(
            DevKeyPair.loadOrCreate(Path.of("target/converge-data")).privateKey(),
            "converge-dev",
            "converge",
            alice,
            List.of(),
            Instant.now().minusSeconds(600),
            Instant.now().minusSeconds(300));
    assertThat(handshakeStatus(catchThrowable(() -> WsClient.connect(server, expired))))
        .isEqualTo(401);
  }

  @Test
  void tamperedToken_isRefusedAtTheUpgrade() {
    String token = TestTokens.mint(TestTokens.subject("alice"));
    String[] parts = token.split("\\.");
    String forgedClaims =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                new String(java.util.Base64.getUrlDecoder().decode(parts[1]))
                    .replace("alice", "bobby")
                    .getBytes());
    String tampered = parts[0] + "." + forgedClaims + "." + parts[2];
    assertThat(handshakeStatus(catchThrowable(() -> WsClient.connect(server, tampered))))
        .isEqualTo(401);
    assertThat(handshakeStatus(catchThrowable(() -> WsClient.connect(server, "not-a-jwt"))))
        .isEqualTo(401);
  }

  @Test
  void freshTokenOnTheOpenSocket_extendsTheSession() throws Exception {
    String alice = TestTokens.subject("alice");
    try (WsClient client =
        WsClient.connect(server, TestTokens.mint(alice, List.of(), Duration.ofMinutes(2)))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, "p-" + alice, List.of()));
      long firstExpiry = client.expect(Message.Welcome.class).tokenExpiresAt();
      client.send(new Message.Auth(TestTokens.mint(alice, List.of(), Duration.ofHours(1))));
      Message.Authed authed = client.expect(Message.Authed.class);
      assertThat(authed.tokenExpiresAt()).isGreaterThan(firstExpiry + 30 * 60_000L);
    }
  }

  @Test
  void tokenOfAnotherSubjectOrInvalid_inAuth_isRefused() throws Exception {
    String alice = TestTokens.subject("alice");
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, "p-" + alice, List.of()));
      client.expect(Message.Welcome.class);
      client.send(new Message.Auth(TestTokens.mint(TestTokens.subject("bob"))));
      assertThat(client.expect(Message.Error.class).code()).isEqualTo("token_invalid");
      client.send(new Message.Auth("garbage"));
      assertThat(client.expect(Message.Error.class).code()).isEqualTo("token_invalid");
    }
  }

  @Test
  void tokenThatExpiresDuringTheSession_endsItWithCode4001() throws Exception {
    String alice = TestTokens.subject("alice");
    // Tokens carry whole seconds; this one has between 1 and 2 seconds left.
    try (WsClient client =
        WsClient.connect(server, TestTokens.mint(alice, List.of(), Duration.ofSeconds(2)))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, "p-" + alice, List.of()));
      client.expect(Message.Welcome.class);
      Message.Error error = client.await(Message.Error.class);
      assertThat(error.code()).isEqualTo("token_expired");
      assertThat(client.closed.get(10, TimeUnit.SECONDS)[0]).isEqualTo(CloseCode.TOKEN.code());
    }
  }

  @Test
  void refreshedTokenWithoutASharedSpace_revokesIt_andTheServerStopsServingIt() throws Exception {
    String alice = TestTokens.subject("alice");
    String team = "team:" + TestTokens.subject("t");
    try (WsClient client =
        WsClient.connect(server, TestTokens.mint(alice, List.of(team), Duration.ofMinutes(10)))) {
      client.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "p-" + alice,
              List.of(
                  new MessageParts.Subscription(team, 0),
                  new MessageParts.Subscription("user:" + alice, 0))));
      assertThat(client.expect(Message.Welcome.class).spaces()).hasSize(2);

      client.send(new Message.Auth(TestTokens.mint(alice, List.of(), Duration.ofMinutes(10))));
      client.expect(Message.Authed.class);
      assertThat(client.expect(Message.Revoked.class).space()).isEqualTo(team);

      client.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      "p-" + alice,
                      1,
                      team,
                      "carts",
                      "c",
                      new Hlc(1, 0),
                      Cart.of(new Document()).add("p-" + alice, "x", 1)))));
      assertThat(client.expect(Message.Error.class).code()).isEqualTo("forbidden_space");
    }
  }
}
