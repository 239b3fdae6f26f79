package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A server killed with SIGKILL mid-stream loses no changeset it had acknowledged. */
class RestartIT {

  private static final int TOTAL = 400;

  @Test
  void serverKilledMidStream_losesNoAckedChangeset() throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    String replica = "phone-" + alice;
    Document local = new Document();
    List<Changeset> all = new ArrayList<>();
    for (int seq = 1; seq <= TOTAL; seq++) {
      all.add(
          new Changeset(
              replica,
              seq,
              space,
              "carts",
              "main",
              new Hlc(seq, 0),
              Cart.of(local).add(replica, "sku-" + seq % 37, 1)));
    }
    Map<Long, Long> acked = new ConcurrentHashMap<>();
    AtomicLong highestAck = new AtomicLong();

    try (ServerProcess node = ServerProcess.start("restart-node", Map.of())) {
      try (WsClient phone = WsClient.connect(node.uri(), TestTokens.mint(alice))) {
        phone.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
        phone.expect(Message.Welcome.class);
        Thread pusher =
            new Thread(
                () -> {
                  try {
                    for (int from = 0; from < TOTAL; from += 10) {
                      phone.send(new Message.Push(all.subList(from, from + 10)));
                      Thread.sleep(5);
                    }
                  } catch (Exception connectionGone) {
                    // the server died under us, as intended
                  }
                });
        pusher.start();
        // Let part of the stream be acked, then crash the server in the middle of it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (highestAck.get() < 50 && System.nanoTime() < deadline) {
          Message message = phone.received.poll(1, TimeUnit.SECONDS);
          if (message instanceof Message.Ack ack) {
            ack.results().forEach(r -> acked.put(r.seq(), r.serverSeq()));
            highestAck.accumulateAndGet(ack.upToSeq(), Math::max);
          }
        }
        node.kill();
        pusher.join(10_000);
        for (Message message = phone.received.poll();
            message != null;
            message = phone.received.poll()) {
          if (message instanceof Message.Ack ack) {
            ack.results().forEach(r -> acked.put(r.seq(), r.serverSeq()));
            highestAck.accumulateAndGet(ack.upToSeq(), Math::max);
          }
        }
      }
      assertThat(highestAck.get())
          .as("some changesets were acked before the crash")
          .isGreaterThanOrEqualTo(50);
      assertThat(highestAck.get()).as("the crash came mid-stream").isLessThan(TOTAL);

      node.launch();

      // Every acked changeset is in the log with the serverSeq it was acked with (REST pull: one
      // item per change, with its origin).
      Map<Long, Long> logged = new HashMap<>();
      for (MessageParts.ChangeItem item : pullAll(node, alice, space)) {
        logged.put(item.origin().seq(), item.serverSeq());
      }
      assertThat(logged).containsAllEntriesOf(acked);

      // The client resumes: re-pushes everything after what it knows was acked; nothing is
      // duplicated.
      try (WsClient phone = WsClient.connect(node.uri(), TestTokens.mint(alice))) {
        phone.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
        phone.expect(Message.Welcome.class);
        long from = highestAck.get();
        while (from < TOTAL) {
          int to = (int) Math.min(TOTAL, from + 100);
          phone.send(new Message.Push(all.subList((int) from, to)));
          assertThat(phone.await(Message.Ack.class).upToSeq()).isEqualTo(to);
          from = to;
        }
      }
      Document server = new Document();
      long count = 0;
      for (MessageParts.ChangeItem item : pullAll(node, alice, space)) {
        server.join(item.delta().document());
        count++;
      }
      assertThat(count).isEqualTo(TOTAL);
      assertThat(server).isEqualTo(local);
    }
  }

  /** Reads the whole log of a space through the REST pull endpoint, page by page. */
  private static List<MessageParts.ChangeItem> pullAll(
      ServerProcess node, String subject, String space) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var codec = WsClient.CODEC;
    List<MessageParts.ChangeItem> items = new ArrayList<>();
    long since = 0;
    boolean more = true;
    while (more) {
      var request =
          java.net.http.HttpRequest.newBuilder(
                  node.uri().resolve("/v1/spaces/" + space + "/changes?limit=1000&since=" + since))
              .header("Authorization", "Bearer " + TestTokens.mint(subject))
              .build();
      var response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      var page = codec.parse(response.body());
      for (var item : page.get("items")) {
        items.add(
            new MessageParts.ChangeItem(
                item.get("serverSeq").asLong(),
                item.get("collection").asText(),
                item.get("docId").asText(),
                codec.decodeDocument(item.get("delta"), "$"),
                new MessageParts.Origin(
                    item.get("origin").get("replicaId").asText(),
                    item.get("origin").get("seq").asLong())));
      }
      since = page.get("to").asLong();
      more = page.get("more").asBoolean();
    }
    return items;
  }
}
