package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The documented answers to frames outside protocol v1 (DESIGN §3): binary 1003, invalid UTF-8
 * 1007, too big 1009; duplicate keys {@code malformed}; unpaired surrogates {@code invalid}.
 * Nothing of a refused message is applied.
 */
@QuarkusTest
class ProtocolStrictnessTest {

  @TestHTTPResource("/")
  URI server;

  @Inject Vertx vertx;

  private String alice;
  private String space;
  private String replica;

  @BeforeEach
  void freshUser() {
    alice = TestTokens.subject("alice");
    space = "user:" + alice;
    replica = "phone-" + alice;
  }

  private String pushJson(String docId) {
    return WsClient.CODEC.encode(
        new Message.Push(
            List.of(
                new Changeset(
                    replica,
                    1,
                    space,
                    "carts",
                    docId,
                    new Hlc(1, 0),
                    Cart.of(new Document()).add(replica, "sku", 1)))));
  }

  private String helloJson() {
    return WsClient.CODEC.encode(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
  }

  /**
   * Opens a raw Vert.x socket, sends hello, lets {@code send} write frames, returns the close code.
   */
  private int closeCodeAfter(Consumer<WebSocket> send) throws Exception {
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(server.getHost())
            .setPort(server.getPort())
            .setURI("/v1/sync")
            .addHeader("Authorization", "Bearer " + TestTokens.mint(alice));
    vertx
        .createWebSocketClient()
        .connect(options)
        .onComplete(
            result -> {
              if (result.failed()) {
                closed.completeExceptionally(result.cause());
                return;
              }
              WebSocket ws = result.result();
              ws.closeHandler(
                  v ->
                      closed.complete(
                          ws.closeStatusCode() == null ? -1 : (int) ws.closeStatusCode()));
              ws.writeTextMessage(helloJson());
              send.accept(ws);
            });
    return closed.get(20, TimeUnit.SECONDS);
  }

  /** Proves nothing was applied: a fresh reader of the space sees no change at all. */
  private void assertSpaceUntouched() throws InterruptedException {
    try (WsClient reader = WsClient.connect(server, TestTokens.mint(alice))) {
      reader.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "reader-" + alice,
              List.of(new MessageParts.Subscription(space, 0))));
      assertThat(reader.expect(Message.Welcome.class).spaces())
          .containsExactly(
              new MessageParts.SpaceHead(
                  space, 0, dev.converge.core.server.LogChain.GENESIS, false));
    }
  }

  @Test
  void binaryFrame_closesWith1003() throws Exception {
    int code =
        closeCodeAfter(
            ws -> ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(pushJson("main")), true)));
    assertThat(code).isEqualTo(CloseCode.UNSUPPORTED_DATA.code());
    assertSpaceUntouched();
  }

  @Test
  void invalidUtf8_closesWith1007_andTheMessageIsNotProcessed() throws Exception {
    String push = pushJson("main");
    int split = push.indexOf("main");
    int code =
        closeCodeAfter(
            ws -> {
              // A push whose docId holds the bytes C3 28: not UTF-8, which Vert.x would decode as
              // U+FFFD "(".
              ws.writeFrame(WebSocketFrame.textFrame(push.substring(0, split), false));
              ws.writeFrame(
                  WebSocketFrame.continuationFrame(
                      Buffer.buffer(new byte[] {(byte) 0xC3, 0x28}), false));
              ws.writeFrame(
                  WebSocketFrame.continuationFrame(Buffer.buffer(push.substring(split + 4)), true));
            });
    assertThat(code).isEqualTo(CloseCode.INVALID_PAYLOAD.code());
    assertSpaceUntouched();
  }

  @Test
  void replacementCharacterSentOnPurpose_andSequencesSplitAcrossFrames_areValid() throws Exception {
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      client.expect(Message.Welcome.class);
      client.sendRaw(pushJson("caf\uFFFD-\u00e9-\ud83d\ude00"));
      assertThat(client.expect(Message.Ack.class).upToSeq()).isEqualTo(1);
    }
    CompletableFuture<Integer> stillOpen = new CompletableFuture<>();
    int code =
        closeCodeAfter(
            ws -> {
              byte[] e = "\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8);
              ws.writeFrame(WebSocketFrame.textFrame("{\"type\":\"auth\",\"token\":\"x", false));
              ws.writeFrame(
                  WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] {e[0]}), false));
              ws.writeFrame(
                  WebSocketFrame.continuationFrame(
                      Buffer.buffer(new byte[] {e[1]}).appendString("\"}"), true));
              // The split é passed the guard: the auth is answered (refused token), then close
              // normally.
              ws.textMessageHandler(
                  text -> {
                    if (text.contains("\"error\"")) {
                      stillOpen.complete(text.contains("token_invalid") ? 1 : 0);
                      ws.close((short) 1000);
                    }
                  });
            });
    assertThat(stillOpen.get(5, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(code).isEqualTo(1000);
  }

  @Test
  void frameLargerThanTheLimit_closesWith1009() throws Exception {
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      client.expect(Message.Welcome.class);
      String nineMiB = "{\"type\":\"auth\",\"token\":\"" + "x".repeat(9 * 1024 * 1024) + "\"}";
      try {
        client.sendRaw(nineMiB);
      } catch (RuntimeException closedWhileSending) {
        // the server may close before the whole frame is written
      }
      assertThat(client.closed.get(20, TimeUnit.SECONDS)[0]).isEqualTo(CloseCode.TOO_BIG.code());
    }
  }

  @Test
  void duplicateKeys_areMalformed_andNothingIsApplied() throws Exception {
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      client.expect(Message.Welcome.class);
      client.sendRaw(
          pushJson("main").replace("\"docId\":\"main\"", "\"docId\":\"main\",\"docId\":\"other\""));
      Message.Error error = client.expect(Message.Error.class);
      assertThat(error.code()).isEqualTo("malformed");
      assertThat(error.message()).contains("Duplicate field 'docId'");
    }
    assertSpaceUntouched();
  }

  @Test
  void unpairedSurrogateInAnId_isInvalid_namingThePath_soTwoIdsNeverCollide() throws Exception {
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      client.expect(Message.Welcome.class);
      client.sendRaw(pushJson("main").replace("\"docId\":\"main\"", "\"docId\":\"a\\ud800\""));
      Message.Error error = client.expect(Message.Error.class);
      assertThat(error.code()).isEqualTo("invalid");
      assertThat(error.message()).startsWith("$.changesets[0].docId: ").contains("unpaired");
      client.sendRaw(pushJson("main").replace("\"docId\":\"main\"", "\"docId\":\"a\\udc00\""));
      assertThat(client.expect(Message.Error.class).code()).isEqualTo("invalid");
    }
    assertSpaceUntouched();
  }
}
