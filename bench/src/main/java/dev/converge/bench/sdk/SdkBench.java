package dev.converge.bench.sdk;

import dev.converge.bench.load.LoadGenerator;
import dev.converge.bench.suite.ResultLog;
import dev.converge.core.crdt.Document;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.SyncClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * SDK figures: local write latency and throughput (app-crash-durable and OS-crash-durable commits)
 * beside plain sqlite-jdbc inserts of the same bytes, client start-up and heap, and, with a running
 * server, the time a fresh client takes to bootstrap a space of many documents.
 */
@Command(name = "sdk", mixinStandardHelpOptions = true)
public final class SdkBench implements Callable<Integer> {

  @Option(names = "--writes", defaultValue = "20000")
  int writes;

  @Option(
      names = "--server",
      description = "run the bootstrap figure against this server, e.g. http://127.0.0.1:8080")
  URI server;

  @Option(
      names = "--docs",
      defaultValue = "10000",
      description = "documents in the bootstrapped space")
  int docs;

  @Option(
      names = "--results",
      description = "append the figures as JSON lines to this file (see suite.ResultLog)")
  Path results;

  @Option(
      names = "--bootstrap-only",
      description = "only the bootstrap figure (needs --server), e.g. in a JVM with a small heap")
  boolean bootstrapOnly;

  private String command = ResultLog.command(SdkBench.class, new String[0]);

  /** Entry point. */
  public static void main(String[] args) {
    SdkBench bench = new SdkBench();
    bench.command = ResultLog.command(SdkBench.class, args);
    System.exit(new CommandLine(bench).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("converge-sdk-bench");
    try {
      if (bootstrapOnly) {
        if (server == null) {
          System.err.println("--bootstrap-only needs --server");
          return 2;
        }
        bootstrap(dir);
        return 0;
      }
      for (boolean durable : new boolean[] {false, true}) {
        int n = durable ? Math.max(1_000, writes / 5) : writes;
        sdkWrites(dir, durable, n);
        plainInserts(dir, durable, n, false);
      }
      sdkBatchedWrites(dir, writes);
      plainInserts(dir, false, writes, true);
      startUp(dir);
      if (server != null) {
        bootstrap(dir);
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }

  private void sdkWrites(Path dir, boolean durable, int n) {
    Path db = dir.resolve("sdk-" + durable + ".db");
    try (SyncClient client =
        SyncClient.builder().databasePath(db).durableCommits(durable).build()) {
      var cart = client.cart("user:bench", "main");
      java.util.Random random = new java.util.Random(42);
      for (int i = 0; i < 1_000; i++) {
        cartOp(cart, random);
      }
      long[] nanos = new long[n];
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        cartOp(cart, random);
        nanos[i] = System.nanoTime() - t;
      }
      report(
          durable ? "sdk-full" : "sdk-normal",
          "SDK cart write (40% add, 40% set quantity, 20% remove over 100 skus), "
              + (durable ? "synchronous=FULL" : "synchronous=NORMAL")
              + ", one write per transaction",
          nanos,
          System.nanoTime() - start);
      System.out.printf("  cart then holds %d items%n", cart.items().size());
    }
  }

  private void sdkBatchedWrites(Path dir, int n) {
    try (SyncClient client =
        SyncClient.builder().databasePath(dir.resolve("sdk-batched.db")).build()) {
      var cart = client.cart("user:bench", "main");
      java.util.Random random = new java.util.Random(42);
      for (int i = 0; i < 1_000; i++) {
        cartOp(cart, random);
      }
      long[] nanos = new long[n];
      long start = System.nanoTime();
      for (int b = 0; b < n; b += 1_000) {
        int from = b;
        client.batch(
            () -> {
              for (int i = from; i < Math.min(n, from + 1_000); i++) {
                long t = System.nanoTime();
                cartOp(cart, random);
                nanos[i] = System.nanoTime() - t;
              }
            });
      }
      report(
          "sdk-batch",
          "SDK cart write, synchronous=NORMAL, 1,000 writes per client.batch (per-write time excludes the commit)",
          nanos,
          System.nanoTime() - start);
    }
  }

  /**
   * The same bytes an SDK write stores: the delta into an outbox row, the document state into its
   * row.
   */
  private void plainInserts(Path dir, boolean durable, int n, boolean batched) throws Exception {
    ProtocolCodec codec = new ProtocolCodec();
    Document doc = new Document();
    Cart cart = Cart.of(doc);
    for (int i = 0; i < 100; i++) {
      cart.add("replica-x", "sku-" + i, 1);
    }
    byte[] delta =
        codec.encodeDocument(cart.add("replica-x", "sku-1", 1)).getBytes(StandardCharsets.UTF_8);
    byte[] state = codec.encodeDocument(doc).getBytes(StandardCharsets.UTF_8);
    Path db = dir.resolve("plain-" + durable + "-" + batched + ".db");
    java.util.Properties properties = new java.util.Properties();
    // As the SDK opens its database: no "SELECT last_insert_rowid()" prepared after every insert
    // for getGeneratedKeys, so that the limit is what sqlite-jdbc can do, not its default.
    properties.setProperty("jdbc.get_generated_keys", "false");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, properties)) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode = WAL");
        st.execute("PRAGMA synchronous = " + (durable ? "FULL" : "NORMAL"));
        st.execute("CREATE TABLE outbox(seq INTEGER PRIMARY KEY, delta BLOB NOT NULL)");
        st.execute("CREATE TABLE doc(id TEXT PRIMARY KEY, state BLOB NOT NULL)");
      }
      c.setAutoCommit(false);
      try (PreparedStatement outbox = c.prepareStatement("INSERT INTO outbox(delta) VALUES (?)");
          PreparedStatement docRow =
              c.prepareStatement("INSERT OR REPLACE INTO doc(id, state) VALUES ('main', ?)")) {
        long[] nanos = new long[n];
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
          long t = System.nanoTime();
          outbox.setBytes(1, delta);
          outbox.executeUpdate();
          docRow.setBytes(1, state);
          docRow.executeUpdate();
          if (!batched || (i + 1) % 1_000 == 0) {
            c.commit();
          }
          nanos[i] = System.nanoTime() - t;
        }
        c.commit();
        report(
            batched ? "plain-batch" : durable ? "plain-full" : "plain-normal",
            "plain sqlite-jdbc, same bytes ("
                + delta.length
                + " + "
                + state.length
                + "), "
                + (durable ? "synchronous=FULL" : "synchronous=NORMAL")
                + ", "
                + (batched ? "1,000 writes per transaction" : "one write per transaction"),
            nanos,
            System.nanoTime() - start);
      }
    }
  }

  private void startUp(Path dir) {
    Path db = dir.resolve("startup.db");
    long heapBefore = settledHeap();
    long t0 = System.nanoTime();
    SyncClient fresh = SyncClient.builder().databasePath(db).build();
    long freshMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    long heapOpen = settledHeap();
    for (int i = 0; i < 1_000; i++) {
      fresh.cart("user:bench", "c" + i).add("sku", 1);
    }
    long heapAfterWrites = settledHeap();
    fresh.close();
    long t1 = System.nanoTime();
    SyncClient reopened = SyncClient.builder().databasePath(db).build();
    long reopenMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
    reopened.close();
    System.out.printf(
        "start-up: new database %d ms, existing database (1,000 documents) %d ms;"
            + " heap held by an open client: %.2f MiB, after writing 1,000 documents: %.2f MiB%n",
        freshMs,
        reopenMs,
        (heapOpen - heapBefore) / 1048576.0,
        (heapAfterWrites - heapBefore) / 1048576.0);
  }

  /** Used heap after full collections, in bytes (several rounds, so the figure settles). */
  private static long settledHeap() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used =
          Math.min(
              used,
              java.lang.management.ManagementFactory.getMemoryMXBean()
                  .getHeapMemoryUsage()
                  .getUsed());
    }
    return used;
  }

  private void bootstrap(Path dir) throws Exception {
    String user = "boot-" + Long.toHexString(System.nanoTime());
    long seeded = LoadGenerator.seedSpace(server, user, docs);
    HeapPeak heap = HeapPeak.start();
    long t0 = System.nanoTime();
    try (SyncClient client =
        SyncClient.builder()
            .databasePath(dir.resolve("bootstrap.db"))
            .serverUri(
                URI.create(server.toString().replaceFirst("^http", "ws")).resolve("/v1/sync"))
            .tokenSupplier(() -> LoadGenerator.devToken(user))
            .subscribe("user:" + user)
            .build()
            .connect()) {
      client.syncNow(Duration.ofMinutes(10)).join();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      System.gc();
      System.out.printf(
          "bootstrap: fresh client caught up with %d changes over %d documents in %d ms (%.0f documents/s)%n",
          seeded, docs, ms, docs * 1000.0 / ms);
      var last = client.cart("user:" + user, "c" + (docs - 1)).items();
      System.out.printf("  check: last document reads %s%n", last);
      long peak = heap.stop();
      System.out.printf(
          "  heap: peak used %.1f MiB of max %.1f MiB%n",
          peak / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
      if (last.isEmpty()) {
        throw new IllegalStateException("bootstrap: the last document is missing");
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("docs", docs);
      row.put("changes", seeded);
      row.put("ms", ms);
      row.put("docs_per_s", docs * 1000.0 / ms);
      row.put("peak_heap_mib", peak / 1048576.0);
      row.put("max_heap_mib", Runtime.getRuntime().maxMemory() / 1048576.0);
      ResultLog.append(results, "bootstrap", command, row);
    }
  }

  /** The cart workload of the peer harnesses: add, change quantity, remove, over 100 skus. */
  private static void cartOp(dev.converge.sdk.Cart cart, java.util.Random random) {
    String sku = "sku-" + random.nextInt(100);
    int op = random.nextInt(10);
    if (op < 4) {
      cart.add(sku, 1 + random.nextInt(5));
    } else if (op < 8) {
      cart.setQuantity(sku, 1 + random.nextInt(5));
    } else {
      cart.remove(sku);
    }
  }

  private void report(String key, String what, long[] nanos, long totalNanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double perSecond = sorted.length / (totalNanos / 1e9);
    System.out.printf(
        "%s: %d writes, %.0f writes/s, p50 %.1f us, p99 %.1f us, max %.1f us%n",
        what,
        sorted.length,
        perSecond,
        sorted[sorted.length / 2] / 1e3,
        sorted[(int) (sorted.length * 0.99)] / 1e3,
        sorted[sorted.length - 1] / 1e3);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("case", key);
    row.put("writes", sorted.length);
    row.put("writes_per_s", perSecond);
    row.put("p50_us", sorted[sorted.length / 2] / 1e3);
    row.put("p99_us", sorted[(int) (sorted.length * 0.99)] / 1e3);
    ResultLog.append(results, "sdk", command, row);
  }
}
