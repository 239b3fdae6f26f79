package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A normal run logs no warning: start, a first push with live fan-out, a REST pull and a clean
 * shutdown (SIGTERM) of the packaged server leave no WARN or ERROR line, so an operator can alert
 * on any.
 */
class CleanRunLogIT {

  /** The level column of the server's log format: {@code 2026-12-01 20:46:16,980 WARN [...]}. */
  private static final Pattern WARN_OR_ERROR = Pattern.compile("^\\S+ \\S+ (WARN|ERROR|FATAL)\\b");

  @Test
  void startFirstPushAndCleanShutdown_logNoWarning() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String token = TestTokens.mint(alice); // creates the development key before the server starts
    // Configured as a deployment is: with a public key, so the development-key notice does not
    // apply.
    String publicKey =
        Path.of("target/converge-data/dev-jwt-public.pem").toAbsolutePath().toString();
    ServerProcess node =
        ServerProcess.start(
            "clean-run-" + UUID.randomUUID().toString().substring(0, 8),
            Map.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey));
    try {
      try (WsClient laptop = WsClient.connect(node.uri(), token);
          WsClient phone = WsClient.connect(node.uri(), token)) {
        laptop.send(
            new Message.Hello(
                Message.PROTOCOL_VERSION,
                "laptop-" + alice,
                List.of(new MessageParts.Subscription(space, 0))));
        laptop.expect(Message.Welcome.class);
        phone.send(new Message.Hello(Message.PROTOCOL_VERSION, "phone-" + alice, List.of()));
        phone.expect(Message.Welcome.class);
        Document delta = Cart.of(new Document()).add("phone-" + alice, "sku-1", 2);
        phone.send(
            new Message.Push(
                List.of(
                    new Changeset(
                        "phone-" + alice, 1, space, "carts", "main", new Hlc(1, 0), delta))));
        assertThat(phone.await(Message.Ack.class).upToSeq()).isEqualTo(1);
        assertThat(laptop.await(Message.Changes.class).items()).hasSize(1);
      }
      HttpResponse<String> pulled =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          node.uri().resolve("/v1/spaces/" + space + "/changes?since=0"))
                      .header("Authorization", "Bearer " + token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(pulled.statusCode()).isEqualTo(200);
    } finally {
      node.close();
    }
    assertThat(node.exitValue()).as("the server stopped on SIGTERM").isNotNull();
    List<String> lines = Files.readAllLines(node.log());
    assertThat(lines).as("the log of a clean run").anyMatch(l -> l.contains("stopped in"));
    assertThat(lines.stream().filter(l -> WARN_OR_ERROR.matcher(l).find()).toList())
        .as("WARN/ERROR lines in " + node.log())
        .isEmpty();
  }
}
