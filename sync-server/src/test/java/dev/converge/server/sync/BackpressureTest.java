package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading holds at most the in-flight limit of frames in server memory, is
 * closed as too slow, and loses nothing: reconnecting from its cursor delivers every change.
 */
@QuarkusTest
class BackpressureTest {

  private static final int CHANGESETS = 2_000;

  @TestHTTPResource("/")
  URI server;

  @Inject SessionRegistry registry;

  @ConfigProperty(name = "converge.sync.max-in-flight-frames")
  int maxInFlight;

  @Test
  void clientThatStopsReading_isBoundedThenClosed_andResumesFromItsCursorLosingNothing()
      throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "w-" + alice;
    String bigValue = "x".repeat(8_000);

    WsClient stalled = WsClient.connect(server, TestTokens.mint(alice));
    stalled.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            "stalled-" + alice,
            List.of(new MessageParts.Subscription(space, 0))));
    stalled.expect(Message.Welcome.class);
    stalled.pause();
    SyncSession stalledSession =
        registry.sessions().stream()
            .filter(s -> ("stalled-" + alice).equals(s.replicaId()))
            .findFirst()
            .orElseThrow();

    // About 16 MB of changes: far more than socket buffers hold.
    Document doc = new Document();
    try (WsClient writer = WsClient.connect(server, TestTokens.mint(alice))) {
      writer.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      writer.expect(Message.Welcome.class);
      for (int from = 1; from <= CHANGESETS; from += 100) {
        List<Changeset> batch = new ArrayList<>();
        for (int seq = from; seq < from + 100; seq++) {
          Document delta =
              doc.writeRegister(
                  replica,
                  List.of("field-" + seq % 50),
                  TextNode.valueOf(bigValue + seq),
                  new Hlc(seq, 0));
          batch.add(
              new Changeset(replica, seq, space, "notes", "n" + seq % 10, new Hlc(seq, 0), delta));
        }
        writer.send(new Message.Push(batch));
      }
      long acked = 0;
      while (acked < CHANGESETS) {
        acked = writer.await(Message.Ack.class).upToSeq();
      }
    }

    AtomicInteger peakInFlight = new AtomicInteger();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              peakInFlight.accumulateAndGet(stalledSession.inFlight(), Math::max);
              assertThat(stalledSession.isClosed())
                  .as("stalled session closed as too slow")
                  .isTrue();
            });
    assertThat(peakInFlight.get()).isLessThanOrEqualTo(maxInFlight);
    long cursorWhenClosed = stalledSession.cursor(space);
    assertThat(cursorWhenClosed).isLessThan(CHANGESETS);
    stalled.close();

    // Whatever the stalled client had taken in before it stopped, it resumes from its last cursor.
    long resumeFrom = 0;
    for (Message m = stalled.received.poll(); m != null; m = stalled.received.poll()) {
      if (m instanceof Message.Changes changes) {
        resumeFrom = changes.to();
      }
    }
    try (WsClient resumed = WsClient.connect(server, TestTokens.mint(alice))) {
      resumed.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "stalled-" + alice,
              List.of(new MessageParts.Subscription(space, resumeFrom))));
      resumed.expect(Message.Welcome.class);
      long cursor = resumeFrom;
      while (cursor < CHANGESETS) {
        Message.Changes changes = resumed.expect(Message.Changes.class);
        assertThat(changes.from()).isEqualTo(cursor);
        assertThat(changes.items().get(0).fromSeq()).isEqualTo(cursor + 1);
        cursor = changes.to();
      }
      assertThat(cursor).isEqualTo(CHANGESETS);
    }
  }
}
