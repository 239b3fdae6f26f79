package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One client cannot exhaust the server (issue 11, "server resources"): measured from outside, on
 * the packaged server started as its own process with small limits.
 */
class ServerResourcesIT {

  private static final int OUTBOUND_BUDGET = 256 * 1024;
  private static final int MAX_MESSAGE = 1024 * 1024;
  private static final int MAX_CONNECTIONS = 5;

  private static ServerProcess node;

  @BeforeAll
  static void start() throws Exception {
    node =
        ServerProcess.start(
            "resources",
            Map.of(
                "CONVERGE_MAX_OUTBOUND_BYTES", Integer.toString(OUTBOUND_BUDGET),
                "CONVERGE_MAX_FRAME_BYTES", Integer.toString(MAX_MESSAGE),
                "CONVERGE_MAX_CONNECTIONS_PER_USER", Integer.toString(MAX_CONNECTIONS),
                "CONVERGE_HELLO_TIMEOUT", "PT3S",
                // Off here: the junk test needs the server to answer junk as fast as it comes, to
                // fill the budget.
                "CONVERGE_MAX_INBOUND_BYTES_PER_SECOND", "0"));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  /** A well-behaved device: pushes one change at a time and records the push-to-ack time. */
  private static final class Pusher implements AutoCloseable {
    final WsClient client;
    final String replica;
    final String space;
    final Cart cart = Cart.of(new Document());
    long seq;
    long slowestAckNanos;

    Pusher(String user) throws InterruptedException {
      this.client = WsClient.connect(node.uri(), TestTokens.mint(user));
      this.replica = "good-" + user;
      this.space = "user:" + user;
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      client.expect(Message.Welcome.class);
    }

    void pushOnce() throws InterruptedException {
      seq++;
      long sent = System.nanoTime();
      client.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      replica,
                      seq,
                      space,
                      "carts",
                      "main",
                      new Hlc(seq, 0),
                      cart.add(replica, "sku-" + seq % 5, 1)))));
      assertThat(client.await(Message.Ack.class).upToSeq()).isEqualTo(seq);
      slowestAckNanos = Math.max(slowestAckNanos, System.nanoTime() - sent);
    }

    @Override
    public void close() {
      client.close();
    }
  }

  @Test
  void nonReadingJunkSender_isClosedWith4008_withinItsBudget_whileAWellBehavedClientIsServed()
      throws Exception {
    String junkUser = TestTokens.subject("junk");
    double closedBefore = node.metric("converge_sessions_closed_total{code=\"4008\"");
    try (Pusher good = new Pusher(TestTokens.subject("good"));
        RawWebSocket junk = RawWebSocket.open(node.uri(), TestTokens.mint(junkUser), false, 4096)) {
      junk.sendText(
          WsClient.CODEC.encode(
              new Message.Hello(Message.PROTOCOL_VERSION, "junk-" + junkUser, List.of())));
      assertThat(junk.read().text()).contains("\"welcome\"");
      // Each junk frame names a 60,000-character type; the reply quotes a short prefix of it only.
      String junkFrame = "{\"type\":\"" + "z".repeat(60_000) + "\"}";
      junk.sendText(junkFrame);
      RawWebSocket.Frame reply = junk.read();
      assertThat(reply.text()).contains("unknown_type");
      assertThat(reply.payload().length).isLessThan(600);
      assertThat(reply.text()).doesNotContain("z".repeat(ErrorText.MAX_QUOTE + 1));

      // From now on the junk sender never reads; small frames make the replies outgrow what it
      // sends.
      String smallJunk = "{\"type\":\"" + "z".repeat(200) + "\"}";
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong junkSent = new AtomicLong();
      ExecutorService executor = Executors.newSingleThreadExecutor();
      Future<?> flood =
          executor.submit(
              () -> {
                try {
                  while (!stop.get()) {
                    junk.sendText(smallJunk);
                    junkSent.incrementAndGet();
                  }
                } catch (IOException closedByServer) {
                  // the server gave up on it: what we want
                }
                return null;
              });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (node.metric("converge_sessions_closed_total{code=\"4008\"") <= closedBefore) {
        assertThat(System.nanoTime())
            .as("junk sender closed with 4008 within 90 s")
            .isLessThan(deadline);
        good.pushOnce();
        Thread.sleep(50);
      }
      stop.set(true);
      flood.get(30, TimeUnit.SECONDS);
      executor.shutdown();

      double peak = node.metric("converge_sessions_outbound_peak_bytes");
      assertThat(peak)
          .as("most bytes one session held queued")
          .isLessThanOrEqualTo(OUTBOUND_BUDGET)
          .isGreaterThan(OUTBOUND_BUDGET / 2.0);
      assertThat(junkSent.get()).isGreaterThan(0);
      RawWebSocket.Frame close = junk.readUntilClose();
      assertThat(close.closeCode()).isEqualTo(CloseCode.TOO_SLOW.code());
      good.pushOnce();
      assertThat(good.seq).isGreaterThan(1);
      assertThat(TimeUnit.NANOSECONDS.toMillis(good.slowestAckNanos))
          .as("slowest push->ack, ms")
          .isLessThan(5_000);
    }
  }

  @Test
  void deflateBomb_isClosedWith1009_whileInflating_andOtherClientsAreServed() throws Exception {
    // 62 MiB of spaces inside a JSON string: about 62 KB once deflated.
    byte[] plain =
        ("{\"type\":\"hello\",\"replicaId\":\"" + " ".repeat(62 * 1024 * 1024) + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] bomb = RawWebSocket.deflate(plain);
    assertThat(bomb.length).isLessThan(70 * 1024);
    try (Pusher good = new Pusher(TestTokens.subject("good"))) {
      good.pushOnce();
      long rssBefore = node.rssKib();
      int bombs = 4;
      ExecutorService executor = Executors.newFixedThreadPool(bombs);
      CountDownLatch ready = new CountDownLatch(bombs);
      List<Future<RawWebSocket.Frame>> closes = new ArrayList<>();
      for (int i = 0; i < bombs; i++) {
        String user = TestTokens.subject("bomber");
        closes.add(
            executor.submit(
                () -> {
                  try (RawWebSocket socket =
                      RawWebSocket.open(node.uri(), TestTokens.mint(user), true, 0)) {
                    assertThat(socket.extensions).contains("permessage-deflate");
                    ready.countDown();
                    ready.await();
                    socket.sendDeflated(bomb);
                    return socket.readUntilClose();
                  }
                }));
      }
      long peakRss = rssBefore;
      for (Future<RawWebSocket.Frame> close : closes) {
        while (!close.isDone()) {
          peakRss = Math.max(peakRss, node.rssKib());
          good.pushOnce();
          Thread.sleep(20);
        }
        assertThat(close.get().closeCode()).isEqualTo(CloseCode.TOO_BIG.code());
        assertThat(close.get().closeReason()).contains("inflates beyond " + MAX_MESSAGE);
      }
      executor.shutdown();
      good.pushOnce();
      assertThat(TimeUnit.NANOSECONDS.toMillis(good.slowestAckNanos))
          .as("slowest push->ack, ms")
          .isLessThan(5_000);
      // Four bombs of 62 MiB each once inflated; inflation stops at 1 MiB per message.
      assertThat((peakRss - rssBefore) / 1024).as("server RSS growth, MiB").isLessThan(100);
    }
  }

  @Test
  void compressedMessagesWithinTheLimit_stillWork() throws Exception {
    String user = TestTokens.subject("zip");
    try (RawWebSocket socket = RawWebSocket.open(node.uri(), TestTokens.mint(user), true, 0)) {
      assertThat(socket.extensions).contains("permessage-deflate");
      // Two messages on one compression context: the second refers back to the first.
      socket.sendDeflated(
          RawWebSocket.deflate(
              ("{\"type\":\"push\",\"changesets\":[],\"pad\":\"" + "p".repeat(100_000) + "\"}")
                  .getBytes(StandardCharsets.US_ASCII)));
      socket.sendDeflated(
          RawWebSocket.deflate(
              WsClient.CODEC
                  .encode(new Message.Hello(Message.PROTOCOL_VERSION, "zip-" + user, List.of()))
                  .getBytes(StandardCharsets.UTF_8)));
      RawWebSocket.Frame first = socket.read();
      assertThat(first.opcode()).as("not closed: %s", first.closeReason()).isEqualTo(1);
      // Push before hello is refused, but it was read as sent: not malformed.
      assertThat(first.text()).contains("\"error\"").doesNotContain("malformed");
      RawWebSocket.Frame second = socket.read();
      assertThat(second.opcode()).isEqualTo(1);
      assertThat(second.text()).contains("\"welcome\"");
    }
  }

  @Test
  void frameBeyondTheLimit_isClosedWith1009() throws Exception {
    try (RawWebSocket socket =
        RawWebSocket.open(node.uri(), TestTokens.mint(TestTokens.subject("big")), false, 0)) {
      socket.sendText("{\"type\":\"hello\",\"pad\":\"" + "x".repeat(MAX_MESSAGE + 1) + "\"}");
      assertThat(socket.readUntilClose().closeCode()).isEqualTo(CloseCode.TOO_BIG.code());
    }
  }

  /**
   * Opens a session and says hello; false when the server still counts the user's slots as taken.
   * It then closes the socket with 4429 as soon as it opens, so the hello may find the output
   * already closed: that is a refusal to retry, not a failure.
   */
  private static boolean helloIsWelcomed(String token, String replica) throws InterruptedException {
    try (WsClient again = WsClient.connect(node.uri(), token)) {
      try {
        again.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      } catch (java.util.concurrent.CompletionException refused) {
        if (again.closed.isDone() && !again.closed.isCompletedExceptionally()) {
          assertThat(again.closed.join()[0]).isEqualTo(CloseCode.TOO_MANY_CONNECTIONS.code());
        }
        Thread.sleep(200);
        return false;
      }
      return again.received.poll(2, TimeUnit.SECONDS) instanceof Message.Welcome;
    }
  }

  @Test
  void manySocketsOfOneUser_beyondTheLimitAreClosedWith4429_andSilentOnesWith4400()
      throws Exception {
    String user = TestTokens.subject("many");
    String token = TestTokens.mint(user);
    List<RawWebSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        sockets.add(RawWebSocket.open(node.uri(), token, false, 0));
      }
      long started = System.nanoTime();
      int tooMany = 0;
      int helloLate = 0;
      for (RawWebSocket socket : sockets) {
        RawWebSocket.Frame close = socket.readUntilClose();
        socket.close();
        if (close.closeCode() == CloseCode.TOO_MANY_CONNECTIONS.code()) {
          assertThat(close.closeReason()).isEqualTo("too many connections");
          tooMany++;
        } else {
          assertThat(close.closeCode()).isEqualTo(CloseCode.PROTOCOL.code());
          assertThat(close.closeReason()).contains("hello not received");
          helloLate++;
        }
      }
      assertThat(tooMany).isGreaterThanOrEqualTo(200 - MAX_CONNECTIONS);
      assertThat(helloLate).isLessThanOrEqualTo(MAX_CONNECTIONS).isPositive();
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(20);
      // Once the server has seen the sockets go, the slots are free again.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      boolean welcomed = false;
      while (!welcomed && System.nanoTime() < deadline) {
        welcomed = helloIsWelcomed(token, "again-" + user);
      }
      assertThat(welcomed).as("a new session of the user is welcomed").isTrue();
    } finally {
      for (RawWebSocket socket : sockets) {
        socket.close();
      }
    }
  }
}
