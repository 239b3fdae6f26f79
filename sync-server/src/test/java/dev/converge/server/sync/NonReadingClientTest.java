package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A client that subscribes to a busy space and never reads its socket (a plain socket with a small
 * receive buffer, not a paused client library) costs the server at most its outbound budget, in
 * queued bytes and in heap, while far more than that flows into the space; then it is closed with
 * 4008. {@link BackpressureTest} proves the frame count bound and the lossless resume; this test
 * proves the byte and heap bound and the close code the client sees.
 */
@QuarkusTest
class NonReadingClientTest {

  /** Bytes of each change's value: big enough that the flow dwarfs the budget quickly. */
  private static final int VALUE_BYTES = 8_000;

  /** Changes committed before the client subscribes from 0: all due to it at once. */
  private static final int BACKLOG = 2_000;

  /** Changes committed while it does not read. */
  private static final int LIVE = 2_000;

  private static final long MIB = 1024 * 1024;

  @TestHTTPResource("/")
  URI server;

  @Inject SessionRegistry registry;

  @ConfigProperty(name = "converge.sync.max-outbound-bytes")
  long maxOutboundBytes;

  @Test
  void nonReadingSubscriber_holdsAtMostItsBudget_inQueuedBytesAndHeap_thenIsClosedWith4008()
      throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String writerReplica = "w-" + alice;
    String stalledReplica = "stalled-" + alice;
    Document doc = new Document();
    long pushedBytes;

    try (WsClient writer = WsClient.connect(server, TestTokens.mint(alice))) {
      writer.send(new Message.Hello(Message.PROTOCOL_VERSION, writerReplica, List.of()));
      writer.expect(Message.Welcome.class);
      pushedBytes = push(writer, doc, writerReplica, space, 1, BACKLOG);
      // An honest follower that reads everything and keeps nothing: it warms the node's shared
      // window of the space's recent changes (bounded in count), which the baseline then holds.
      RawWebSocket follower = RawWebSocket.open(server, TestTokens.mint(alice), false, 0);
      follower.sendText(
          WsClient.CODEC.encode(
              new Message.Hello(
                  Message.PROTOCOL_VERSION,
                  "follower-" + alice,
                  List.of(new MessageParts.Subscription(space, 0)))));
      Thread drainer = new Thread(() -> drain(follower));
      drainer.setDaemon(true);
      drainer.start();
      SyncSession followerSession = awaitSession("follower-" + alice);
      long caughtUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (followerSession.cursor(space) < BACKLOG && System.nanoTime() < caughtUp) {
        Thread.sleep(20);
      }
      assertThat(followerSession.cursor(space)).isEqualTo(BACKLOG);
      long baselineHeap = heapAfterGc();

      RawWebSocket stalled = RawWebSocket.open(server, TestTokens.mint(alice), false, 4 * 1024);
      stalled.readTimeout(Duration.ofSeconds(20));
      stalled.sendText(
          WsClient.CODEC.encode(
              new Message.Hello(
                  Message.PROTOCOL_VERSION,
                  stalledReplica,
                  List.of(new MessageParts.Subscription(space, 0)))));
      SyncSession session = awaitSession(stalledReplica);

      // Sample the session's queued bytes the whole time, from another thread.
      AtomicLong peakQueued = new AtomicLong();
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler =
          new Thread(
              () -> {
                while (sampling.get()) {
                  peakQueued.accumulateAndGet(session.outboundBytes(), Math::max);
                  Thread.onSpinWait();
                }
              });
      sampler.setDaemon(true);
      sampler.start();

      // The feed fills half the budget at once (the backlog is all due) and blocks there: measure
      // the heap now, with the whole backlog (about 16 MB) owed to a client that reads nothing.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (session.outboundBytes() < maxOutboundBytes / 4 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(session.isClosed()).as("still open while blocked").isFalse();
      long blockedHeap = heapAfterGc();

      // More changes flow into the space while the client still reads nothing.
      pushedBytes += push(writer, doc, writerReplica, space, BACKLOG + 1, LIVE);
      long waitClose = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!session.isClosed() && System.nanoTime() < waitClose) {
        Thread.sleep(20);
      }
      sampling.set(false);
      sampler.join();

      long heapGrowth = blockedHeap - baselineHeap;
      System.out.printf(
          "non-reading client: %d MB pushed, budget %d MB, peak queued %d KB, heap growth"
              + " while blocked %d KB%n",
          pushedBytes / 1_000_000,
          maxOutboundBytes / MIB,
          peakQueued.get() / 1024,
          heapGrowth / 1024);
      assertThat(session.isClosed()).as("closed as too slow within 30 s").isTrue();
      assertThat(pushedBytes).as("the flow dwarfs the budget").isGreaterThan(6 * maxOutboundBytes);
      assertThat(peakQueued.get()).isLessThanOrEqualTo(maxOutboundBytes);
      // A server that queued what it owes would hold the 16 MB backlog; the bound allows the budget
      // twice (a frame exists as a string and as its encoded buffer) plus 4 MiB of noise.
      assertThat(heapGrowth).isLessThan(2 * maxOutboundBytes + 4 * MIB);

      // The client, reading at last, gets what the kernel buffers held and then the close code.
      RawWebSocket.Frame close = stalled.readUntilClose();
      assertThat(close.closeCode()).isEqualTo(CloseCode.TOO_SLOW.code());
      stalled.close();
      follower.close();
    }

    String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(peakMetric(metrics)).isLessThanOrEqualTo(maxOutboundBytes);
  }

  /** Pushes {@code count} changesets of one big register value each, from {@code from}. */
  private static long push(
      WsClient writer, Document doc, String replica, String space, int from, int count)
      throws InterruptedException {
    long bytes = 0;
    String value = "x".repeat(VALUE_BYTES);
    for (int start = from; start < from + count; start += 100) {
      List<Changeset> batch = new ArrayList<>();
      for (int seq = start; seq < start + 100; seq++) {
        Document delta =
            doc.writeRegister(
                replica, List.of("f" + seq % 50), TextNode.valueOf(value + seq), new Hlc(seq, 0));
        batch.add(
            new Changeset(replica, seq, space, "notes", "n" + seq % 10, new Hlc(seq, 0), delta));
        bytes += VALUE_BYTES;
      }
      writer.send(new Message.Push(batch));
    }
    long last = from + count - 1;
    while (writer.await(Message.Ack.class).upToSeq() < last) {
      // acks arrive per push, in order
    }
    return bytes;
  }

  /** Reads and drops every frame until the socket ends. */
  private static void drain(RawWebSocket socket) {
    try {
      while (socket.read().opcode() != 8) {
        // dropped: the follower only keeps the server's window warm
      }
    } catch (java.io.IOException ended) {
      // closed by the test
    }
  }

  private SyncSession awaitSession(String replica) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (SyncSession s : registry.sessions()) {
        if (replica.equals(s.replicaId())) {
          return s;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no session for " + replica + " within 10 s");
  }

  /** Heap in use after full collections, so garbage does not count. */
  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long peakMetric(String metrics) {
    return metrics
        .lines()
        .filter(l -> l.startsWith("converge_sessions_outbound_peak_bytes"))
        .map(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no converge_sessions_outbound_peak_bytes"));
  }
}
