package dev.converge.bench.load;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.testsupport.ServerProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Junk flood: non-reading clients send junk frames as fast as they can (reconnecting whenever the
 * server closes them) while one well-behaved device pushes at a steady pace. Reports the server's
 * RSS growth and the device's push-to-ack latency.
 */
@CommandLine.Command(
    name = "flood",
    description = "server RSS and a good client's ack latency during a junk flood")
final class Flood implements Callable<Integer> {
  @CommandLine.ParentCommand LoadGenerator parent;

  @Option(names = "--junk-senders", defaultValue = "4")
  int junkSenders;

  @Option(
      names = "--junk-chars",
      defaultValue = "60000",
      description = "characters of each junk frame")
  int junkChars;

  @Option(
      names = "--rate",
      defaultValue = "20",
      description = "pushes per second of the well-behaved client")
  int rate;

  @Option(names = "--seconds", defaultValue = "30")
  int seconds;

  @Option(
      names = "--pid",
      required = true,
      description = "server process id (reads /proc/<pid>/status)")
  long pid;

  private final AtomicLong junkFrames = new AtomicLong();
  private final AtomicLong junkBytes = new AtomicLong();
  private final AtomicLong serverCloses = new AtomicLong();

  @Override
  public Integer call() throws Exception {
    DevTokenMinter minter = parent.minter();
    Percentiles acks = new Percentiles();
    java.util.concurrent.CountDownLatch warm = new java.util.concurrent.CountDownLatch(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 10);
    // The device connects and pushes for a while first: the figures are of the flood, not of a cold
    // server.
    Thread good = new Thread(() -> pushSteadily(minter, deadline, acks, warm), "good");
    good.start();
    warm.await();
    long rssBefore = rssKib();
    // A type name of junkChars characters: before the server bounded its replies, each error echoed
    // it whole.
    byte[] junk =
        ("{\"type\":\"" + "z".repeat(Math.max(1, junkChars - 12)) + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < junkSenders; i++) {
      String user = "junk-" + parent.run + "-" + i;
      String token = minter.mint(user, List.of());
      Thread thread = new Thread(() -> flood(token, user, junk, deadline), "junk-" + i);
      thread.start();
      threads.add(thread);
    }
    long peakRss = rssBefore;
    while (System.nanoTime() < deadline) {
      peakRss = Math.max(peakRss, rssKib());
      Thread.sleep(200);
    }
    good.join();
    for (Thread thread : threads) {
      thread.join();
    }
    long rssAfter = rssKib();
    System.out.printf(
        "flood: %d non-reading junk senders (%d-char frames), %d s; a good client pushing %d/s (10 s warm-up before)%n",
        junkSenders, junkChars, seconds, rate);
    System.out.printf(
        "  junk sent: %d frames, %.0f MB; connections closed by the server: %d%n",
        junkFrames.get(), junkBytes.get() / 1e6, serverCloses.get());
    System.out.printf(
        "  server RSS: %d MiB before, %d MiB peak, %d MiB after; growth %d MiB (target < 100)%n",
        rssBefore / 1024, peakRss / 1024, rssAfter / 1024, (peakRss - rssBefore) / 1024);
    System.out.printf("  good client push->ack: %s (target p99 < 1000 ms)%n", acks.summary());
    System.out.printf(
        "  server metrics: outbound peak per session %.0f bytes, 4008 closes %.0f%n",
        metric("converge_sessions_outbound_peak_bytes"),
        metric("converge_sessions_closed_total{code=\"4008\""));
    return 0;
  }

  private void flood(String token, String user, byte[] junk, long deadline) {
    String hello =
        BenchSocket.CODEC.encode(
            new Message.Hello(Message.PROTOCOL_VERSION, "junk-" + user, List.of()));
    while (System.nanoTime() < deadline) {
      try (JunkSender sender = JunkSender.open(parent.server, token)) {
        sender.send(hello.getBytes(StandardCharsets.UTF_8));
        while (System.nanoTime() < deadline) {
          sender.send(junk);
          junkFrames.incrementAndGet();
          junkBytes.addAndGet(junk.length);
        }
      } catch (IOException closedByServer) {
        serverCloses.incrementAndGet();
      }
    }
  }

  private void pushSteadily(
      DevTokenMinter minter,
      long deadline,
      Percentiles acks,
      java.util.concurrent.CountDownLatch warm) {
    String user = "good-" + parent.run;
    String space = "user:" + user;
    String replica = "good-" + parent.run;
    SynchronousQueue<Message.Ack> queue = new SynchronousQueue<>();
    try {
      BenchSocket socket =
          BenchSocket.openPusher(parent.http, parent.server, minter.mint(user, List.of()), queue);
      socket.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
      Cart cart = Cart.of(new Document());
      long interval = TimeUnit.SECONDS.toNanos(1) / rate;
      long next = System.nanoTime();
      long warmUntil = next + TimeUnit.SECONDS.toNanos(10);
      long seq = 0;
      while (System.nanoTime() < deadline) {
        seq++;
        long sent = System.nanoTime();
        socket.send(
            new Message.Push(
                List.of(
                    new Changeset(
                        replica,
                        seq,
                        space,
                        "carts",
                        "main",
                        new Hlc(seq, 0),
                        cart.add(replica, "sku-" + seq % 20, 1)))));
        if (queue.poll(30, TimeUnit.SECONDS) == null) {
          System.err.println("good client: no ack within 30 s");
          return;
        }
        if (sent > warmUntil) {
          warm.countDown();
          acks.record(System.nanoTime() - sent);
        }
        next += interval;
        long sleep = next - System.nanoTime();
        if (sleep > 0) {
          TimeUnit.NANOSECONDS.sleep(sleep);
        }
      }
      socket.close();
    } catch (Exception e) {
      System.err.println("good client failed: " + e);
    } finally {
      warm.countDown();
    }
  }

  private double metric(String series) throws IOException, InterruptedException {
    return ServerProbe.metric(parent.http, parent.server, series);
  }

  private long rssKib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for pid " + pid);
  }
}
