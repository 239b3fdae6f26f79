package dev.converge.bench.load;

import dev.converge.bench.suite.ResultLog;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Fan-out lag: one pusher writes at a fixed total rate, round robin over {@code --spaces} team
 * spaces; {@code --sessions} followers, spread evenly over those spaces, record the delay from the
 * push being sent to the frame carrying it being received.
 */
@CommandLine.Command(name = "fanout", description = "fan-out delay to many sessions")
final class FanOut implements Callable<Integer> {
  @CommandLine.ParentCommand LoadGenerator parent;

  @Option(names = "--sessions", defaultValue = "100")
  int sessions;

  @Option(names = "--spaces", defaultValue = "1", description = "spaces the sessions follow")
  int spaces;

  @Option(names = "--rate", defaultValue = "20", description = "changesets per second, in total")
  int rate;

  @Option(names = "--seconds", defaultValue = "15")
  int seconds;

  @Option(
      names = "--pushers",
      defaultValue = "1",
      description =
          "writing connections, each a replica of its own; the writes go round robin over the"
              + " spaces, and pusher k writes the spaces s with s % pushers == k (1: one"
              + " connection carries the whole rate)")
  int pushers;

  @Override
  public Integer call() throws Exception {
    if (spaces < 1 || sessions < spaces || rate < 1 || pushers < 1 || pushers > spaces) {
      System.err.println("need 1 <= spaces <= sessions, rate >= 1 and 1 <= pushers <= spaces");
      return 2;
    }
    DevTokenMinter minter = parent.minter();
    List<String> spaceIds = new ArrayList<>();
    for (int p = 0; p < spaces; p++) {
      spaceIds.add("team:bench-" + parent.run + "-" + p);
    }
    // Keyed by "replica seq": each pusher numbers its own changesets.
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    Percentiles delay = new Percentiles();
    List<BenchSocket> followers = new ArrayList<>();
    CountDownLatch welcomed = new CountDownLatch(sessions);
    int[] followersOf = new int[spaces];
    for (int s = 0; s < sessions; s++) {
      String space = spaceIds.get(s % spaces);
      followersOf[s % spaces]++;
      String token = minter.mint("follower-" + parent.run + "-" + s, List.of(space));
      BenchSocket follower =
          BenchSocket.open(
              parent.http,
              parent.server,
              token,
              m -> {
                if (m instanceof Message.Welcome) {
                  welcomed.countDown();
                } else if (m instanceof Message.Changes changes) {
                  long now = System.nanoTime();
                  for (MessageParts.ChangeItem item : changes.items()) {
                    Long sent =
                        item.origin() == null
                            ? null
                            : sentAt.get(item.origin().replicaId() + " " + item.origin().seq());
                    if (sent != null) {
                      delay.record(now - sent);
                    }
                  }
                }
              });
      follower.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              "follow-" + parent.run + "-" + s,
              List.of(new MessageParts.Subscription(space, 0))));
      followers.add(follower);
    }
    if (!welcomed.await(120, TimeUnit.SECONDS)) {
      System.err.println("not all sessions were welcomed");
      followers.forEach(BenchSocket::close);
      return 1;
    }
    // Paced by the clock, not by acks: the delay measured is commit and fan-out, not the push
    // round trip.
    List<BenchSocket> writers = new ArrayList<>();
    List<String> replicas = new ArrayList<>();
    for (int k = 0; k < pushers; k++) {
      String replica = "fan-" + parent.run + (pushers == 1 ? "" : "-" + k);
      List<String> own = new ArrayList<>();
      for (int p = k; p < spaces; p += pushers) {
        own.add(spaceIds.get(p));
      }
      BenchSocket pusher =
          BenchSocket.open(
              parent.http, parent.server, minter.mint("pusher-" + replica, own), m -> {});
      pusher.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      writers.add(pusher);
      replicas.add(replica);
    }
    long[] seqs = new long[pushers];
    Map<String, Cart> carts = new HashMap<>();
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long next = System.nanoTime();
    long end = next + TimeUnit.SECONDS.toNanos(seconds);
    long written = 0;
    long expected = 0;
    while (System.nanoTime() < end) {
      written++;
      int p = (int) (written % spaces);
      int k = p % pushers;
      long seq = ++seqs[k];
      String replica = replicas.get(k);
      String space = spaceIds.get(p);
      Cart cart = carts.computeIfAbsent(space, x -> Cart.of(new Document()));
      expected += followersOf[p];
      sentAt.put(replica + " " + seq, System.nanoTime());
      writers
          .get(k)
          .send(
              new Message.Push(
                  List.of(
                      new Changeset(
                          replica,
                          seq,
                          space,
                          "carts",
                          "shared",
                          new Hlc(seq, 0),
                          cart.add(replica, "sku-" + written % 20, 1)))));
      next += interval;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        TimeUnit.NANOSECONDS.sleep(sleep);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (delay.count() < expected && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    System.out.printf(
        "fanout: %d sessions over %d space(s), %d changesets at %d/s from %d pusher(s)%n",
        sessions, spaces, written, rate, pushers);
    System.out.printf(
        "  delivered %d of %d; push-sent to frame-received delay: %s%n",
        delay.count(), expected, delay.summary());
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("sessions", sessions);
    row.put("spaces", spaces);
    row.put("rate", rate);
    row.put("seconds", seconds);
    row.put("pushers", pushers);
    row.put("changesets", written);
    row.put("expected", expected);
    row.put("delivered", delay.count());
    row.put("p50_ms", delay.percentileMs(0.50));
    row.put("p95_ms", delay.percentileMs(0.95));
    row.put("p99_ms", delay.percentileMs(0.99));
    row.put("max_ms", delay.percentileMs(1.0));
    ResultLog.append(parent.results, "fanout", parent.command, row);
    writers.forEach(BenchSocket::close);
    followers.forEach(BenchSocket::close);
    return 0;
  }
}
