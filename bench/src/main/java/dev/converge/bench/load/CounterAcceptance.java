package dev.converge.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentHandle;
import dev.converge.sdk.FieldPolicy;
import dev.converge.sdk.Schema;
import dev.converge.sdk.SyncClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Issue 10's acceptance for bounded counters: N real SDK devices (own SQLite file, own WebSocket,
 * one JVM) online in one space increment one counter, each increment its own changeset, pushed and
 * acked as the SDK does (each device keeps at most {@code --window} unacked). A probe replica
 * pushes one increment of another counter of the same document at a time and times push to ack: the
 * cost of a push into that document as it grows (the server decodes, checks, joins and encodes the
 * whole document on every push). At the end: the counter's stored size on the server and on every
 * device, its entries, and the probe's latencies. Run it against a server with counter compaction
 * on, and once with {@code CONVERGE_COUNTER_COMPACTION_ENABLED=false} for the uncompacted
 * comparison.
 */
@CommandLine.Command(
    name = "counter",
    description = "bounded counters: N SDK devices increment one counter online (issue 10)")
final class CounterAcceptance implements Callable<Integer> {
  @CommandLine.ParentCommand LoadGenerator parent;

  @Option(names = "--devices", defaultValue = "10")
  int devices;

  @Option(names = "--increments", defaultValue = "1000000", description = "in total, all devices")
  long increments;

  @Option(names = "--window", defaultValue = "200", description = "unacked writes per device")
  int window;

  @Option(
      names = "--probe-interval-ms",
      defaultValue = "100",
      description = "pause between the probe's pushes")
  long probeIntervalMs;

  @Option(
      names = "--compacting",
      arity = "1",
      defaultValue = "true",
      description =
          "whether the server compacts counters (CONVERGE_COUNTER_COMPACTION_ENABLED); when false"
              + " the run ends once every increment is acked instead of waiting for one run per"
              + " device")
  boolean compacting;

  @Option(
      names = "--idle-probe-seconds",
      defaultValue = "20",
      description =
          "once every increment is acked, how long the probe alone pushes into the document: the"
              + " push cost at the final size, without the devices' queue in front of it")
  int idleProbeSeconds;

  @Option(
      names = "--subject",
      description =
          "token subject whose space team:<subject> holds the counter (default: a new one); with"
              + " --increments 0, measures an existing counter's push cost")
  String subject;

  @Option(names = "--report-seconds", defaultValue = "30")
  int reportSeconds;

  @Option(names = "--dir", description = "where the devices' files go (default: a temp dir)")
  Path dir;

  private static final String COLLECTION = "counters";
  private static final String DOC = "views";
  private static final ProtocolCodec STORED = new ProtocolCodec().forStoredData();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AtomicBoolean running = new AtomicBoolean(true);

  @Override
  public Integer call() throws Exception {
    DevTokenMinter minter = parent.minter();
    String subject = this.subject != null ? this.subject : "counter-" + parent.run;
    String space = "team:" + subject;
    String token = minter.mint(subject, List.of(space));
    Path files = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("counter");
    Schema schema =
        Schema.builder()
            .field("views", FieldPolicy.COUNTER)
            .field("probe", FieldPolicy.COUNTER)
            .build();
    URI ws = URI.create(parent.server.toString().replaceFirst("^http", "ws")).resolve("/v1/sync");
    List<SyncClient> clients = new ArrayList<>();
    List<DocumentHandle> counters = new ArrayList<>();
    for (int i = 0; i < devices; i++) {
      SyncClient client =
          SyncClient.builder()
              .databasePath(files.resolve("device" + i + ".db"))
              .serverUri(ws)
              .tokenSupplier(() -> token)
              .replicaName("device" + i)
              .subscribe(space)
              .build()
              .connect();
      clients.add(client);
      counters.add(client.document(space, COLLECTION, DOC, schema));
    }
    System.out.printf(
        "counter: %d devices x %,d increments into %s/%s/%s; files in %s%n",
        devices, increments / devices, space, COLLECTION, DOC, files);

    long before = serverState(space, token).views;
    Percentiles probeAll = new Percentiles();
    Percentiles[] probeWindow = {new Percentiles()};
    Thread probe = new Thread(() -> probe(token, space, probeAll, probeWindow), "probe");
    probe.setDaemon(true);
    AtomicLong written = new AtomicLong();
    long started = System.nanoTime();
    List<Thread> writers = new ArrayList<>();
    long perDevice = increments / devices;
    for (int i = 0; i < devices; i++) {
      SyncClient client = clients.get(i);
      DocumentHandle counter = counters.get(i);
      Thread t =
          new Thread(
              () -> {
                for (long n = 0; n < perDevice; n++) {
                  while (client.status().pendingChanges() >= window) {
                    sleep(2);
                  }
                  counter.increment("views", 1);
                  written.incrementAndGet();
                }
              },
              "device" + i);
      writers.add(t);
      t.start();
    }
    probe.start();
    long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(reportSeconds);
    long maxServerBytes = 0;
    while (writers.stream().anyMatch(Thread::isAlive)) {
      sleep(500);
      if (System.nanoTime() >= nextReport) {
        nextReport += TimeUnit.SECONDS.toNanos(reportSeconds);
        long pending = clients.stream().mapToLong(c -> c.status().pendingChanges()).sum();
        Stored server = serverState(space, token);
        maxServerBytes = Math.max(maxServerBytes, server.bytes);
        Percentiles recent = probeWindow[0];
        probeWindow[0] = new Percentiles();
        System.out.printf(
            "  %4d s: %,d written, %,d acked (%,.0f/s); server counter %s; probe %s%n",
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
            written.get(),
            written.get() - pending,
            (written.get() - pending) / ((System.nanoTime() - started) / 1e9),
            server,
            recent.summary());
      }
    }
    // Everyone acked and caught up, and the server's counter holds one run per device.
    long total = before + perDevice * devices;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    Stored server;
    while (true) {
      boolean acked = clients.stream().allMatch(c -> c.status().pendingChanges() == 0);
      server = serverState(space, token);
      boolean compacted = server.entries > 0 && server.entries == server.runs;
      if (acked && (compacted || !compacting && server.views == total)) {
        break;
      }
      if (System.nanoTime() > deadline) {
        System.out.println("  gave up waiting for the final compaction: " + server);
        break;
      }
      sleep(500);
    }
    long ackedAt = System.nanoTime();
    // The cost of one push into the document at its final size, with nothing queued before it.
    Percentiles lastWindow = probeWindow[0];
    Percentiles idle = new Percentiles();
    probeWindow[0] = idle;
    sleep(TimeUnit.SECONDS.toMillis(idleProbeSeconds));
    probeWindow[0] = new Percentiles();
    Stored atIdle = serverState(space, token);
    running.set(false);
    probe.join(10_000);
    long docHead = server.headSeq;
    deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (clients.stream().anyMatch(c -> c.status().spaces().get(space).cursor() < docHead)
        && System.nanoTime() < deadline) {
      sleep(200);
    }
    for (SyncClient client : clients) {
      client.close();
    }
    double seconds = (ackedAt - started) / 1e9;
    System.out.printf(
        "counter: %,d increments by %d devices acked in %.0f s (%,.0f/s), value %,d (expected %,d)%n",
        total - before, devices, seconds, (total - before) / seconds, server.views, total);
    System.out.printf(
        "  server: %s; largest seen while running: %,d bytes%n", server, maxServerBytes);
    for (int i = 0; i < devices; i++) {
      System.out.printf(
          "  device%d: %s%n", i, deviceState(files.resolve("device" + i + ".db"), space));
    }
    System.out.println("  probe push->ack, whole run: " + probeAll.summary());
    System.out.println("  probe push->ack, last window: " + lastWindow.summary());
    System.out.printf(
        "  probe push->ack alone at the final size (%s), %d s: %s%n",
        atIdle, idleProbeSeconds, idle.summary());
    return server.views == total ? 0 : 1;
  }

  /** The probe: one increment of counter "probe" per push, timed from send to ack. */
  private void probe(String token, String space, Percentiles all, Percentiles[] window) {
    String replica = "probe-" + parent.run;
    BlockingQueue<Message.Ack> acks = new ArrayBlockingQueue<>(16);
    BenchSocket socket = BenchSocket.openPusher(parent.http, parent.server, token, acks);
    // No subscription: the probe is in no live set, so it never holds compaction back.
    socket.send(new Message.Hello(Message.PROTOCOL_VERSION, replica, List.of()));
    Document mine = new Document();
    long seq = 0;
    try {
      while (running.get()) {
        Document delta = mine.addToCounter(replica, List.of("probe"), 1);
        long t = System.nanoTime();
        socket.send(
            new Message.Push(
                List.of(
                    new Changeset(
                        replica,
                        ++seq,
                        space,
                        COLLECTION,
                        DOC,
                        new Hlc(System.currentTimeMillis(), 0),
                        delta))));
        Message.Ack ack = acks.poll(60, TimeUnit.SECONDS);
        if (ack == null) {
          System.err.println("probe: no ack within 60 s");
          return;
        }
        long nanos = System.nanoTime() - t;
        all.record(nanos);
        window[0].record(nanos);
        Thread.sleep(probeIntervalMs);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      socket.close();
    }
  }

  /** What one stored copy of the document holds. */
  record Stored(long bytes, int entries, int runs, long views, long headSeq) {
    @Override
    public String toString() {
      return String.format(
          "%,d bytes, views: %d entries (%d runs), value %,d", bytes, entries, runs, views);
    }

    static Stored of(String stateJson, long headSeq) {
      Document doc = STORED.decodeDocument(stateJson);
      CounterValue views = doc.get(List.of("views"), CounterValue.class).orElse(new CounterValue());
      int runs = (int) views.entries().values().stream().filter(CounterEntry::isRun).count();
      return new Stored(
          stateJson.getBytes(StandardCharsets.UTF_8).length,
          views.entries().size(),
          runs,
          views.value(),
          headSeq);
    }
  }

  /** The server's stored state of the document, re-encoded as the server stores it. */
  private Stored serverState(String space, String token) throws Exception {
    HttpResponse<String> response =
        parent.http.send(
            HttpRequest.newBuilder(
                    parent.server.resolve(
                        "/v1/spaces/" + space + "/documents/" + COLLECTION + "/" + DOC))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return new Stored(0, 0, 0, 0, 0);
    }
    JsonNode view = JSON.readTree(response.body());
    // The stored text is the codec's canonical encoding: decoding and encoding again gives it back.
    String state = STORED.encodeDocument(STORED.decodeDocument(view.get("state").toString()));
    return Stored.of(state, view.get("headSeq").asLong());
  }

  /** A closed device's stored copy, as it is in its SQLite file. */
  private static Stored deviceState(Path file, String space) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT state FROM documents WHERE space = ? AND collection = ? AND doc_id = ?")) {
      ps.setString(1, space);
      ps.setString(2, COLLECTION);
      ps.setString(3, DOC);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Stored.of(rs.getString(1), 0) : new Stored(0, 0, 0, 0, 0);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
