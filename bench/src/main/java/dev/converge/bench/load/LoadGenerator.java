package dev.converge.bench.load;

import dev.converge.bench.suite.ResultLog;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.devtokens.DevKeyPair;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load generator for a running sync server (loopback only): push throughput and ack latency,
 * fan-out delay to many sessions, memory per idle session, and a junk flood. Every run stops by
 * itself.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    subcommands = {
      LoadGenerator.Push.class,
      FanOut.class,
      LoadGenerator.Idle.class,
      Flood.class,
      CounterAcceptance.class
    })
public final class LoadGenerator {

  @Option(
      names = "--server",
      defaultValue = "http://127.0.0.1:8080",
      description = "server base URI")
  URI server;

  @Option(
      names = "--key",
      description = "development private key (PEM); default $CONVERGE_DATA_DIR or ~/.converge")
  Path key;

  @Option(names = "--issuer", defaultValue = "converge-dev")
  String issuer;

  @Option(names = "--audience", defaultValue = "converge")
  String audience;

  @Option(
      names = "--results",
      description = "append the figures as JSON lines to this file (see suite.ResultLog)")
  Path results;

  String command = ResultLog.command(LoadGenerator.class, new String[0]);

  final String run = UUID.randomUUID().toString().substring(0, 8);
  final HttpClient http = HttpClient.newHttpClient();

  DevTokenMinter minter() throws Exception {
    Path pem =
        key != null
            ? key
            : Path.of(
                System.getenv()
                    .getOrDefault(
                        "CONVERGE_DATA_DIR", System.getProperty("user.home") + "/.converge"),
                DevKeyPair.PRIVATE_KEY_FILE);
    return new DevTokenMinter(pem, issuer, audience);
  }

  /** A token for {@code user} signed with the default development key. */
  public static String devToken(String user) throws Exception {
    LoadGenerator defaults = new LoadGenerator();
    defaults.issuer = "converge-dev";
    defaults.audience = "converge";
    return defaults.minter().mint(user, List.of());
  }

  /**
   * Writes one cart document per index into {@code user:<user>} and waits for the acks.
   *
   * @return the number of changesets applied
   */
  public static long seedSpace(URI server, String user, int docs) throws Exception {
    String space = "user:" + user;
    String replica = "seed-" + user;
    SynchronousQueue<Message.Ack> acks = new SynchronousQueue<>();
    BenchSocket socket =
        BenchSocket.openPusher(HttpClient.newHttpClient(), server, devToken(user), acks);
    try {
      socket.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      long seq = 0;
      while (seq < docs) {
        List<Changeset> batch = new ArrayList<>();
        for (int i = 0; i < 500 && seq < docs; i++) {
          Cart cart = Cart.of(new Document());
          batch.add(
              new Changeset(
                  replica,
                  seq + 1,
                  space,
                  "carts",
                  "c" + seq,
                  new Hlc(seq + 1, 0),
                  cart.add(replica, "sku-" + (seq % 7), 1 + seq % 3)));
          seq++;
        }
        socket.send(new Message.Push(batch));
        if (acks.poll(60, TimeUnit.SECONDS) == null) {
          throw new IllegalStateException("no ack while seeding");
        }
      }
      return seq;
    } finally {
      socket.close();
    }
  }

  /** Entry point. */
  public static void main(String[] args) {
    LoadGenerator load = new LoadGenerator();
    load.command = ResultLog.command(LoadGenerator.class, args);
    System.exit(new CommandLine(load).execute(args));
  }

  /** Closed-loop pushers: each sends a batch, waits for its ack, repeats. */
  @Command(name = "push", description = "push throughput and ack latency")
  static final class Push implements java.util.concurrent.Callable<Integer> {
    @CommandLine.ParentCommand LoadGenerator parent;

    @Option(names = "--connections", defaultValue = "8")
    int connections;

    @Option(
        names = "--spaces",
        defaultValue = "1",
        description = "spaces pushed into (connections are spread over them)")
    int spaces;

    @Option(names = "--batch", defaultValue = "10", description = "changesets per push")
    int batch;

    @Option(names = "--seconds", defaultValue = "20")
    int seconds;

    @Override
    public Integer call() throws Exception {
      DevTokenMinter minter = parent.minter();
      Percentiles ackLatency = new Percentiles();
      AtomicLong applied = new AtomicLong();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      List<Thread> threads = new ArrayList<>();
      CountDownLatch ready = new CountDownLatch(connections);
      for (int c = 0; c < connections; c++) {
        String user = "bench-" + parent.run + "-" + (c % spaces);
        String replica = "push-" + parent.run + "-" + c;
        String token = minter.mint(user, List.of());
        Thread thread =
            new Thread(
                () ->
                    pushLoop(token, "user:" + user, replica, deadline, ready, ackLatency, applied));
        thread.start();
        threads.add(thread);
      }
      long start = System.nanoTime();
      for (Thread t : threads) {
        t.join();
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "push: %d connections into %d space(s), batch %d, %.1f s%n",
          connections, spaces, batch, elapsed);
      System.out.printf(
          "  throughput: %.0f changesets/s (%d applied)%n", applied.get() / elapsed, applied.get());
      System.out.printf("  ack latency per push: %s%n", ackLatency.summary());
      Map<String, Object> row = new java.util.LinkedHashMap<>();
      row.put("system", "converge");
      row.put("connections", connections);
      row.put("spaces", spaces);
      row.put("batch", batch);
      row.put("seconds", elapsed);
      row.put("changesets_per_s", applied.get() / elapsed);
      row.put("ack_p50_ms", ackLatency.percentileMs(0.50));
      row.put("ack_p99_ms", ackLatency.percentileMs(0.99));
      ResultLog.append(parent.results, "push", parent.command, row);
      return 0;
    }

    private void pushLoop(
        String token,
        String space,
        String replica,
        long deadline,
        CountDownLatch ready,
        Percentiles ackLatency,
        AtomicLong applied) {
      SynchronousQueue<Message.Ack> acks = new SynchronousQueue<>();
      BenchSocket socket = BenchSocket.openPusher(parent.http, parent.server, token, acks);
      socket.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      ready.countDown();
      // One local replica per document, edited with the cart mix of the peer harnesses (40% add,
      // 40% set quantity, 20% remove over 50 skus), so documents keep a realistic size.
      Map<String, Document> docs = new java.util.HashMap<>();
      java.util.Random random = new java.util.Random(replica.hashCode());
      long seq = 0;
      try {
        while (System.nanoTime() < deadline) {
          List<Changeset> changesets = new ArrayList<>(batch);
          for (int i = 0; i < batch; i++) {
            seq++;
            String docId = "c" + random.nextInt(16);
            Cart cart = Cart.of(docs.computeIfAbsent(docId, d -> new Document()));
            String sku = "sku-" + random.nextInt(50);
            int op = random.nextInt(10);
            Document delta =
                op < 4
                    ? cart.add(replica, sku, 1 + random.nextInt(5))
                    : op < 8
                        ? cart.setQuantity(replica, sku, 1 + random.nextInt(5))
                        : cart.remove(sku);
            changesets.add(
                new Changeset(replica, seq, space, "carts", docId, new Hlc(seq, 0), delta));
          }
          long sent = System.nanoTime();
          socket.send(new Message.Push(changesets));
          Message.Ack ack = acks.poll(30, TimeUnit.SECONDS);
          if (ack == null) {
            System.err.println("no ack within 30 s");
            return;
          }
          ackLatency.record(System.nanoTime() - sent);
          applied.addAndGet(batch);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        socket.close();
      }
    }
  }

  /** Opens idle sessions and reports the server process's resident memory per session. */
  @Command(name = "idle", description = "server RSS per idle session")
  static final class Idle implements java.util.concurrent.Callable<Integer> {
    @CommandLine.ParentCommand LoadGenerator parent;

    @Option(names = "--sessions", defaultValue = "1000")
    int sessions;

    @Option(
        names = "--pid",
        required = true,
        description = "server process id (reads /proc/<pid>/status)")
    long pid;

    @Override
    public Integer call() throws Exception {
      DevTokenMinter minter = parent.minter();
      long before = rssKib();
      List<BenchSocket> open = new ArrayList<>();
      CountDownLatch welcomed = new CountDownLatch(sessions);
      for (int s = 0; s < sessions; s++) {
        String user = "idle-" + parent.run + "-" + s;
        BenchSocket socket =
            BenchSocket.open(
                parent.http,
                parent.server,
                minter.mint(user, List.of()),
                m -> {
                  if (m instanceof Message.Welcome) {
                    welcomed.countDown();
                  }
                });
        socket.send(
            new Message.Hello(
                Message.PROTOCOL_VERSION,
                "idle-" + parent.run + "-" + s,
                List.of(new MessageParts.Subscription("user:" + user, 0))));
        open.add(socket);
      }
      welcomed.await(120, TimeUnit.SECONDS);
      Thread.sleep(5_000);
      long after = rssKib();
      System.out.printf(
          "idle: %d sessions; server RSS %d MiB -> %d MiB; %.1f KiB per idle session%n",
          sessions, before / 1024, after / 1024, (after - before) / (double) sessions);
      open.forEach(BenchSocket::close);
      return 0;
    }

    private long rssKib() throws Exception {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
      throw new IllegalStateException("no VmRSS for pid " + pid);
    }
  }
}
