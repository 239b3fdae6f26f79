package dev.converge.bench.storm;

import dev.converge.bench.load.LoadGenerator;
import dev.converge.bench.suite.ResultLog;
import dev.converge.core.crdt.Document;
import dev.converge.core.policy.Cart;
import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncStatus;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The peers' cart storm on Converge: C SDK clients (real SQLite files, one JVM) share one cart of
 * 20 items; all go offline, each applies M ops from the shared op stream, then all resume at once.
 * Convergence is the time from resume until every client holds the expected merged cart, which is
 * computed independently by joining the same ops in sync-core.
 */
@Command(name = "storm", mixinStandardHelpOptions = true)
public final class CartStorm implements Callable<Integer> {

  @Option(names = "--server", defaultValue = "http://127.0.0.1:8080")
  URI server;

  @Option(names = "--clients", defaultValue = "10")
  int clients;

  @Option(names = "--ops", defaultValue = "200", description = "ops per client")
  int ops;

  @Option(names = "--seeds", defaultValue = "1,2,3", split = ",")
  int[] seeds;

  @Option(
      names = "--server-pid",
      defaultValue = "0",
      description = "the server's process id on this machine: its CPU time is reported per run")
  long serverPid;

  @Option(
      names = "--no-coalesce",
      description = "one changeset per local change (the SDK before seq ranges)")
  boolean noCoalesce;

  @Option(
      names = "--results",
      description = "append one JSON line per seed to this file (see suite.ResultLog)")
  Path results;

  private String command = ResultLog.command(CartStorm.class, new String[0]);

  /** Entry point. */
  public static void main(String[] args) {
    CartStorm storm = new CartStorm();
    storm.command = ResultLog.command(CartStorm.class, args);
    System.exit(new CommandLine(storm).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Long> times = new ArrayList<>();
    for (int seed : seeds) {
      times.add(run(seed));
    }
    long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(
        "storm C=%d M=%d%s: median convergence %d ms over seeds %s%n",
        clients,
        ops,
        noCoalesce ? " (no coalescing)" : "",
        sorted[sorted.length / 2],
        Arrays.toString(seeds));
    return 0;
  }

  private long run(int seed) throws Exception {
    String user = "storm-" + seed + "-" + Long.toHexString(System.nanoTime());
    String space = "user:" + user;
    // Every client goes through a counting proxy, as the peers' clients do through theirs.
    CountingProxy proxy = new CountingProxy(server.getPort());
    URI ws = URI.create("ws://127.0.0.1:" + proxy.port() + "/v1/sync");
    Path dir = Files.createTempDirectory("converge-storm");
    List<SyncClient> devices = new ArrayList<>();
    // One token for the run, as an app holds one: minting (an RSA signature) on every connect
    // would put the bench's own CPU into the storm.
    String token = LoadGenerator.devToken(user);
    try {
      for (int c = 0; c < clients; c++) {
        devices.add(
            SyncClient.builder()
                .databasePath(dir.resolve("client-" + c + ".db"))
                .serverUri(ws)
                .tokenSupplier(() -> token)
                .subscribe(space)
                .replicaName("c" + c)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .coalesceOutbox(!noCoalesce)
                .build()
                .connect());
      }
      // The seed cart, written by the first client and seen by all before they go offline.
      Document expected = new Document();
      Cart seedCart = Cart.of(expected);
      for (String sku : CartOps.seedCart().keySet()) {
        devices.get(0).cart(space, "main").add(sku, 1);
        seedCart.add("seed", sku, 1);
      }
      devices.get(0).syncNow(Duration.ofSeconds(60)).join();
      SortedMap<String, Long> seeded = seedCart.items();
      awaitAll(devices, space, seeded, Duration.ofSeconds(60));

      // Offline edits.
      devices.forEach(SyncClient::pause);
      long editStart = System.nanoTime();
      Document merged = expected.copy();
      for (int c = 0; c < clients; c++) {
        var cart = devices.get(c).cart(space, "main");
        Document local = expected.copy();
        Cart model = Cart.of(local);
        for (CartOps.Op op : CartOps.generate(seed, c, ops)) {
          switch (op.kind()) {
            case ADD, INC -> {
              cart.add(op.sku(), op.qty());
              model.add("c" + c, op.sku(), op.qty());
            }
            case REMOVE -> {
              cart.remove(op.sku());
              model.remove(op.sku());
            }
          }
        }
        merged.join(local);
      }
      long editMs = (System.nanoTime() - editStart) / 1_000_000;
      SortedMap<String, Long> target = Cart.of(merged).items();

      proxy.reset();
      long serverCpu0 = ProcessCpu.ofPid(serverPid);
      long clientCpu0 = ProcessCpu.self();
      long start = System.nanoTime();
      devices.forEach(SyncClient::resume);
      Phases phases = awaitAll(devices, space, target, Duration.ofSeconds(300), start);
      long ms = (System.nanoTime() - start) / 1_000_000;
      long clientCpu = ProcessCpu.self() - clientCpu0;
      long serverCpu = serverPid == 0 ? -1 : ProcessCpu.ofPid(serverPid) - serverCpu0;
      long total = target.values().stream().mapToLong(Long::longValue).sum();
      // As the peers' harness: the bytes once the wire was quiet for 300 ms.
      proxy.awaitQuiet(300, 10_000);
      long up = proxy.up();
      long down = proxy.down();
      System.out.printf(
          "seed %d: C=%d M=%d converged in %d ms (offline edits of all clients: %d ms); %d items,"
              + " total qty %d; bytes up %d, down %d, %.1f B per op (permessage-deflate %s)%n",
          seed,
          clients,
          ops,
          ms,
          editMs,
          target.size(),
          total,
          up,
          down,
          (up + down) / (double) (clients * ops),
          proxy.deflateAccepted() ? "negotiated" : "not negotiated");
      long repaired = devices.stream().mapToLong(d -> d.status().repairedDocuments()).sum();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("system", noCoalesce ? "converge-no-coalesce" : "converge");
      row.put("clients", clients);
      row.put("ops", ops);
      row.put("seed", seed);
      row.put("convergence_ms", ms);
      row.put("bytes_per_op", (up + down) / (double) (clients * ops));
      row.put("deflate", proxy.deflateAccepted());
      row.put("final_items", target.size());
      row.put("final_total_qty", total);
      row.put("clients_cpu_ms", clientCpu);
      row.put("server_cpu_ms", serverCpu);
      row.put("offline_edit_ms", editMs);
      ResultLog.append(results, "storm", command, row);
      System.out.printf(
          "seed %d CPU while converging: clients %d ms, server %s; documents repaired by digest"
              + " exchanges: %d%n",
          seed,
          clientCpu,
          serverCpu < 0 ? "not measured (--server-pid)" : serverCpu + " ms",
          repaired);
      System.out.printf(
          "seed %d phases after resume, median / last client: online %s, all own changes acked %s,"
              + " converged %s ms%n",
          seed, phases.online(), phases.acked(), phases.converged());
      return ms;
    } finally {
      devices.forEach(SyncClient::close);
      proxy.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void awaitAll(
      List<SyncClient> devices, String space, SortedMap<String, Long> target, Duration limit)
      throws InterruptedException {
    awaitAll(devices, space, target, limit, System.nanoTime());
  }

  /**
   * Waits until every client holds {@code target}, noting per client when it was first online,
   * first had no pending change and first held the target (ms after {@code start}).
   */
  private static Phases awaitAll(
      List<SyncClient> devices,
      String space,
      SortedMap<String, Long> target,
      Duration limit,
      long start)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    int n = devices.size();
    long[] online = new long[n];
    long[] acked = new long[n];
    long[] converged = new long[n];
    Arrays.fill(online, -1);
    Arrays.fill(acked, -1);
    Arrays.fill(converged, -1);
    // As the peers' harness checks a replica on its update events: a client's cart is read again
    // only after it reported a change (reading all carts every few ms would add the bench's own
    // CPU and lock holds to the storm).
    java.util.concurrent.atomic.AtomicBoolean[] changed =
        new java.util.concurrent.atomic.AtomicBoolean[n];
    List<dev.converge.sdk.ListenerToken> listeners = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      changed[i] = new java.util.concurrent.atomic.AtomicBoolean(true);
      var flag = changed[i];
      listeners.add(devices.get(i).cart(space, "main").addChangeListener(e -> flag.set(true)));
    }
    try {
      return awaitPhases(
          devices, space, target, deadline, start, online, acked, converged, changed);
    } finally {
      listeners.forEach(dev.converge.sdk.ListenerToken::close);
    }
  }

  private static Phases awaitPhases(
      List<SyncClient> devices,
      String space,
      SortedMap<String, Long> target,
      long deadline,
      long start,
      long[] online,
      long[] acked,
      long[] converged,
      java.util.concurrent.atomic.AtomicBoolean[] changed)
      throws InterruptedException {
    int n = devices.size();
    while (true) {
      boolean all = true;
      long now = (System.nanoTime() - start) / 1_000_000;
      for (int i = 0; i < n; i++) {
        SyncClient device = devices.get(i);
        if (online[i] < 0 || acked[i] < 0) {
          SyncStatus status = device.status();
          if (online[i] < 0 && status.connection() == ConnectionState.ONLINE) {
            online[i] = now;
          }
          if (acked[i] < 0 && status.pendingChanges() == 0) {
            acked[i] = now;
          }
        }
        if (converged[i] < 0
            && changed[i].getAndSet(false)
            && device.cart(space, "main").items().equals(target)) {
          converged[i] = now;
        }
        all &= converged[i] >= 0;
      }
      if (all) {
        return new Phases(spread(online), spread(acked), spread(converged));
      }
      if (System.nanoTime() > deadline) {
        // Say why: a client the server refuses (e.g. too_many_connections for the one storm
        // user) keeps retrying and never converges.
        java.util.Set<String> errors = new java.util.TreeSet<>();
        for (int i = 0; i < n; i++) {
          if (converged[i] < 0) {
            SyncStatus status = devices.get(i).status();
            errors.add(status.connection() + " " + status.lastError());
          }
        }
        throw new IllegalStateException("not converged in time: " + errors);
      }
      Thread.sleep(5);
    }
  }

  /** "median / max" of the clients' times; a client never seen in the phase counts as -1. */
  private static String spread(long[] times) {
    long[] sorted = times.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2] + " / " + sorted[sorted.length - 1];
  }

  /** When the clients reached each phase after resume. */
  private record Phases(String online, String acked, String converged) {}
}
