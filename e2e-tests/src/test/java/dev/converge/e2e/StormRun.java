package dev.converge.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.e2e.StormCheckers.ForeignObservation;
import dev.converge.e2e.StormCheckers.Tally;
import dev.converge.e2e.StormCheckers.Violation;
import dev.converge.e2e.StormDevice.Down;
import dev.converge.e2e.StormDevice.Lost;
import dev.converge.e2e.StormDevice.Refused;
import dev.converge.e2e.StormHistory.AddAtom;
import dev.converge.e2e.StormHistory.Increment;
import dev.converge.e2e.StormHistory.Outcome;
import dev.converge.e2e.StormHistory.Read;
import dev.converge.e2e.StormHistory.RemoveAtoms;
import dev.converge.e2e.StormHistory.Sample;
import dev.converge.e2e.StormHistory.WriteRegister;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One seeded storm against real processes: six SDK clients of three users (two of them in child
 * processes), each behind its own {@link FaultProxy} to two server nodes, doing random cart,
 * profile and note operations while the chaos schedule injects network faults, kills and restarts
 * server nodes, terminates the server's database connections and SIGKILLs client processes. Then
 * everything heals, the clients sync to quiescence, and {@link StormCheckers} judge the history and
 * the final states.
 *
 * <p>The seed fixes every random choice the storm makes (operations, their arguments, their pacing,
 * the fault schedule); the real processes' timing still varies between runs, so a replay repeats
 * the schedule, not the interleaving.
 */
final class StormRun {

  /** How long a client may stay ONLINE with pending changes and no acknowledgement. */
  static final Duration STALL_BOUND = Duration.ofSeconds(60);

  /** How long the clients have to reach quiescence once everything is healed. */
  static final Duration QUIESCENCE_BOUND = Duration.ofSeconds(180);

  private static final String[] DOCS = {
    StormOps.MAIN_CART, StormOps.LOOSE_CART, StormOps.PROFILE, StormOps.NOTE_ID
  };

  /** What one storm did and found. */
  static final class Result {
    final long seed;
    final Map<String, Integer> faults = new TreeMap<>();
    int serverRestarts;
    int clientKills;
    int localRestarts;
    int dbBackendsTerminated;
    int failedServerStarts;
    long connections;
    long resets;
    long droppedBytes;
    long operations;
    long looseWrites;
    double seconds;
    Tally tally = new Tally();
    final List<Violation> violations = new ArrayList<>();

    Result(long seed) {
      this.seed = seed;
    }

    synchronized void fault(String kind) {
      faults.merge(kind, 1, Integer::sum);
    }

    int totalFaults() {
      return faults.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public String toString() {
      return "storm seed "
          + seed
          + ": "
          + String.format("%.0f s", seconds)
          + ", "
          + operations
          + " operations, "
          + tally
          + ", "
          + looseWrites
          + " convergence-only writes; faults "
          + faults
          + ", "
          + serverRestarts
          + " server restarts, "
          + clientKills
          + " client SIGKILLs, "
          + localRestarts
          + " in-JVM client restarts, "
          + dbBackendsTerminated
          + " database connections terminated, "
          + failedServerStarts
          + " failed server starts; proxies: "
          + connections
          + " connections, "
          + resets
          + " resets, "
          + droppedBytes
          + " bytes dropped; "
          + violations.size()
          + " violations";
    }
  }

  private final long seed;
  private final boolean silentUpgrades;
  private final Duration duration;
  private final List<TestServer.Node> nodes;
  private final Path dir;
  private final Result result;
  private final StormHistory history = new StormHistory();
  private final long t0 = System.nanoTime();
  private final AtomicBoolean storming = new AtomicBoolean(true);
  private final AtomicBoolean sampling = new AtomicBoolean(true);
  private final List<Violation> violations = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  private final List<String> users = new ArrayList<>();
  private final Map<String, String> tokens = new HashMap<>();
  private final Map<String, Set<String>> grants = new LinkedHashMap<>();
  private final List<String> spaces = new ArrayList<>();
  private final List<StormDevice> devices = new ArrayList<>();
  private final Map<StormDevice, FaultProxy> proxies = new LinkedHashMap<>();
  private final Map<String, SkuBits> bits = new ConcurrentHashMap<>();
  private final Set<StormDevice> paused = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> foreignSeen = new ConcurrentHashMap<>();
  private final AtomicLong unique = new AtomicLong();

  StormRun(
      long seed, Duration duration, List<TestServer.Node> nodes, Path dir, boolean silentUpgrades) {
    this.seed = seed;
    this.silentUpgrades = silentUpgrades;
    this.duration = duration;
    this.nodes = nodes;
    this.dir = dir;
    this.result = new Result(seed);
  }

  private long now() {
    return System.nanoTime() - t0;
  }

  /** Runs the storm and the checks; returns the figures and violations. */
  Result run() throws Exception {
    Random setup = new Random(seed);
    try {
      setUp(setup);
      Thread sampler = daemon("storm-sampler", this::sampleLoop);
      List<Thread> actors = new ArrayList<>();
      for (int i = 0; i < devices.size(); i++) {
        StormDevice device = devices.get(i);
        long actorSeed = seed * 31 + i;
        actors.add(daemon("storm-" + device.name, () -> act(device, new Random(actorSeed))));
      }
      Chaos chaos = new Chaos(new Random(seed * 17 + 5));
      Thread chaosThread = daemon("storm-chaos", chaos::run);
      sleep(duration.toMillis());
      storming.set(false);
      for (Thread actor : actors) {
        actor.join(TimeUnit.MINUTES.toMillis(3));
      }
      chaosThread.join(TimeUnit.MINUTES.toMillis(3));
      long healAt = heal();
      boolean quiet = quiesce(healAt);
      sleep(1_000);
      if (quiet) {
        check(healAt);
      }
      sampling.set(false);
      sampler.join(5_000);
      violations.addAll(StormCheckers.liveness(history.samples(), healAt, STALL_BOUND, 2));
    } finally {
      storming.set(false);
      sampling.set(false);
      for (StormDevice device : devices) {
        device.close();
      }
      for (FaultProxy proxy : proxies.values()) {
        result.connections += proxy.accepted();
        result.resets += proxy.resets();
        result.droppedBytes += proxy.droppedBytes();
        proxy.close();
      }
      result.seconds = (System.nanoTime() - t0) / 1e9;
      result.violations.addAll(violations);
      if (!violations.isEmpty()) {
        dumpHistory(dir.resolve("history.txt"));
        List<String> lines = violations.stream().map(Object::toString).toList();
        lines.forEach(v -> System.out.println("storm seed " + seed + " violation: " + v));
        Files.write(dir.resolve("violations.txt"), lines);
      }
    }
    return result;
  }

  // ---- set-up ----------------------------------------------------------------------------------

  private void setUp(Random random) throws Exception {
    String tag =
        "s"
            + seed
            + "-"
            + Long.toString(Math.abs(random.nextLong()) % 1_000_000, 36)
            + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    for (int i = 0; i < 3; i++) {
      String user = TestTokens.subject("storm-u" + i);
      users.add(user);
      spaces.add("user:" + user);
    }
    String team = "team:" + tag;
    String pair = "pair:" + tag;
    spaces.add(team);
    spaces.add(pair);
    grants.put(users.get(0), Set.of("user:" + users.get(0), team, pair));
    grants.put(users.get(1), Set.of("user:" + users.get(1), team, pair));
    grants.put(users.get(2), Set.of("user:" + users.get(2), team));
    for (String user : users) {
      List<String> shared =
          grants.get(user).stream().filter(s -> !s.startsWith("user:")).sorted().toList();
      tokens.put(user, TestTokens.mint(user, shared, Duration.ofHours(3)));
    }
    Files.createDirectories(dir);
    // Devices: two per user; the second device of the first two users runs in its own process.
    for (int i = 0; i < 6; i++) {
      String user = users.get(i / 2);
      String name = "d" + i;
      List<String> subscribed = new ArrayList<>(new TreeSet<>(grants.get(user)));
      if (i == 5) {
        // Probes isolation: a subscription to another user's space, which the server must refuse.
        subscribed.add("user:" + users.get(0));
      }
      Random proxyRandom = new Random(seed * 7 + i);
      FaultProxy[] holder = new FaultProxy[1];
      FaultProxy proxy =
          new FaultProxy(
              "proxy-" + name,
              () -> {
                int pick;
                synchronized (proxyRandom) {
                  pick = proxyRandom.nextInt(nodes.size());
                }
                return new InetSocketAddress("127.0.0.1", nodes.get(pick).port());
              },
              seed * 13 + i);
      holder[0] = proxy;
      URI sync = URI.create("ws://127.0.0.1:" + proxy.port() + "/v1/sync");
      Path db = dir.resolve(name + ".db");
      List<String> foreign = spaces.stream().filter(s -> !grants.get(user).contains(s)).toList();
      StormDevice device =
          (i == 1 || i == 3)
              ? new StormDevice.Remote(
                  name,
                  user,
                  db,
                  sync,
                  tokens.get(user),
                  subscribed,
                  foreign,
                  dir.resolve(name + ".log"))
              : new StormDevice.Local(name, user, db, sync, tokens.get(user), subscribed, foreign);
      devices.add(device);
      proxies.put(device, proxy);
    }
    for (StormDevice device : devices) {
      device.start();
    }
  }

  private Set<String> granted(StormDevice device) {
    return grants.get(device.user);
  }

  // ---- the clients -----------------------------------------------------------------------------

  private void act(StormDevice device, Random random) {
    List<String> mine = new ArrayList<>(new TreeSet<>(granted(device)));
    long resumeAt = 0;
    while (storming.get()) {
      sleep(10 + random.nextInt(110));
      if (!device.running()) {
        sleep(100);
        continue;
      }
      try {
        if (paused.contains(device) && now() > resumeAt) {
          device.call(op("resume"));
          paused.remove(device);
        }
        // Shared spaces see most of the traffic: that is where clients meet.
        String space =
            random.nextInt(3) == 0 ? "user:" + device.user : mine.get(random.nextInt(mine.size()));
        int dice = random.nextInt(100);
        String doc = null;
        if (dice < 25) {
          doc = cartAdd(device, space, random);
        } else if (dice < 32) {
          doc = cartRemove(device, space, random);
        } else if (dice < 38) {
          doc = looseCart(device, space, random);
        } else if (dice < 48) {
          doc = registerWrite(device, space, StormOps.PROFILE, random);
        } else if (dice < 53) {
          doc = registerWrite(device, space, StormOps.NOTE_ID, random);
        } else if (dice < 63) {
          doc = increment(device, space, random);
        } else if (dice < 70) {
          doc = tag(device, space);
        } else if (dice < 74) {
          doc = untag(device, space, random);
        } else if (dice < 79) {
          doc = meta(device, space, random);
        } else if (dice < 94) {
          read(device, space, DOCS[random.nextInt(DOCS.length)]);
        } else if (dice < 97) {
          long start = now();
          device.syncNow(Duration.ofSeconds(2 + random.nextInt(4)));
          history.add(new StormHistory.Acked(device.name, start, now()));
        } else if (dice < 99) {
          if (!paused.contains(device)) {
            device.call(op("pause"));
            paused.add(device);
            resumeAt = now() + TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(5_000));
            result.fault("client-pause");
            history.note(now(), device.name + " paused");
          }
        } else if (!device.remote()) {
          // An app restart: close and reopen the client on its file.
          history.note(now(), device.name + " closing for a restart");
          device.crash();
          sleep(random.nextInt(300));
          device.start();
          history.note(now(), device.name + " reopened");
          paused.remove(device);
          synchronized (result) {
            result.localRestarts++;
          }
        }
        if (doc != null && random.nextInt(10) < 4) {
          read(device, space, doc);
        }
      } catch (Refused e) {
        if (!"TIMEOUT".equals(e.code)) {
          violations.add(
              new Violation(
                  "api", device.name + " at " + now() / 1_000_000 + " ms: " + e.getMessage()));
        }
      } catch (Lost e) {
        // The process died meanwhile: the write, if any, was recorded as indeterminate.
        if (e.hung) {
          violations.add(new Violation("liveness", "an SDK call hung: " + e.getMessage()));
        }
      } catch (Down e) {
        // not running at the moment
      } catch (Exception e) {
        violations.add(new Violation("api", device.name + ": " + e));
      }
    }
  }

  private ObjectNode op(String name) {
    return StormOps.NODES.objectNode().put("op", name);
  }

  private ObjectNode op(String name, String space) {
    return op(name).put("space", space);
  }

  private String docName(String space, String doc) {
    return space + "/" + doc;
  }

  private synchronized void countOp() {
    result.operations++;
  }

  private String cartAdd(StormDevice device, String space, Random random)
      throws Refused, Lost, Down {
    String[] pick = bits.computeIfAbsent(space, s -> new SkuBits()).next(random);
    String sku = pick[0];
    int bit = Integer.parseInt(pick[1]);
    ObjectNode op = op("cartAdd", space).put("cart", StormOps.MAIN_CART).put("sku", sku);
    op.put("amount", 1L << bit);
    String doc = docName(space, StormOps.MAIN_CART);
    write(
        device,
        op,
        (start, end, outcome, r) ->
            new AddAtom(device.name, start, end, outcome, doc, sku + "#" + bit));
    return StormOps.MAIN_CART;
  }

  private String cartRemove(StormDevice device, String space, Random random)
      throws Refused, Lost, Down {
    ObjectNode op =
        op("cartRemove", space).put("cart", StormOps.MAIN_CART).put("pick", random.nextInt(1000));
    String doc = docName(space, StormOps.MAIN_CART);
    write(
        device,
        op,
        (start, end, outcome, r) -> {
          if (outcome == Outcome.INDETERMINATE) {
            return new RemoveAtoms(device.name, start, end, outcome, doc, null, null);
          }
          if (!r.has("sku")) {
            return null;
          }
          String sku = r.path("sku").asText();
          return new RemoveAtoms(
              device.name,
              start,
              end,
              outcome,
              doc,
              sku + "#",
              atoms(sku, r.path("observed").asLong()));
        });
    return StormOps.MAIN_CART;
  }

  private String looseCart(StormDevice device, String space, Random random)
      throws Refused, Lost, Down {
    String sku = "l" + random.nextInt(4);
    ObjectNode op;
    int kind = random.nextInt(3);
    if (kind == 0) {
      op = op("cartAdd", space).put("amount", 1 + random.nextInt(3));
    } else if (kind == 1) {
      op = op("cartSet", space).put("quantity", random.nextInt(6));
    } else {
      op = op("cartRemoveSku", space);
    }
    op.put("cart", StormOps.LOOSE_CART).put("sku", sku);
    looseWrite(device, op);
    return StormOps.LOOSE_CART;
  }

  private String registerWrite(StormDevice device, String space, String docId, Random random)
      throws Refused, Lost, Down {
    String value = device.name + "-v" + unique.incrementAndGet();
    String register;
    ObjectNode op;
    if (docId.equals(StormOps.PROFILE)) {
      register = StormOps.PROFILE_FIELDS.get(random.nextInt(StormOps.PROFILE_FIELDS.size()));
      op = op("profileSet", space).put("field", register).put("value", value);
    } else {
      register = "title";
      op = op("noteTitle", space).put("value", value);
    }
    String doc = docName(space, docId);
    write(
        device,
        op,
        (start, end, outcome, r) ->
            new WriteRegister(
                device.name,
                start,
                end,
                outcome,
                doc,
                register,
                value,
                outcome == Outcome.OK ? strings(r.path("seen")) : null));
    return docId;
  }

  private String increment(StormDevice device, String space, Random random)
      throws Refused, Lost, Down {
    long amount = 1 + random.nextInt(9);
    String doc = docName(space, StormOps.NOTE_ID);
    write(
        device,
        op("noteViews", space).put("amount", amount),
        (start, end, outcome, r) ->
            new Increment(device.name, start, end, outcome, doc, "views", amount));
    return StormOps.NOTE_ID;
  }

  private String tag(StormDevice device, String space) throws Refused, Lost, Down {
    String element = device.name + "-t" + unique.incrementAndGet();
    String doc = docName(space, StormOps.NOTE_ID);
    write(
        device,
        op("noteTag", space).put("element", element),
        (start, end, outcome, r) ->
            new AddAtom(device.name, start, end, outcome, doc, "tags#" + element));
    return StormOps.NOTE_ID;
  }

  private String untag(StormDevice device, String space, Random random) throws Refused, Lost, Down {
    String doc = docName(space, StormOps.NOTE_ID);
    write(
        device,
        op("noteUntag", space).put("pick", random.nextInt(1000)),
        (start, end, outcome, r) -> {
          if (outcome == Outcome.INDETERMINATE) {
            return new RemoveAtoms(device.name, start, end, outcome, doc, "tags#", null);
          }
          if (!r.has("element")) {
            return null;
          }
          String atom = "tags#" + r.path("element").asText();
          return new RemoveAtoms(device.name, start, end, outcome, doc, atom, Set.of(atom));
        });
    return StormOps.NOTE_ID;
  }

  private String meta(StormDevice device, String space, Random random) throws Refused, Lost, Down {
    String key = "k" + random.nextInt(4);
    ObjectNode op =
        random.nextInt(3) == 0
            ? op("noteRemoveKey", space).put("key", key)
            : op("notePut", space)
                .put("key", key)
                .put("value", device.name + "-m" + unique.incrementAndGet());
    looseWrite(device, op);
    return StormOps.NOTE_ID;
  }

  private interface Recorder {
    StormHistory.Event record(long start, long end, Outcome outcome, JsonNode result);
  }

  private void write(StormDevice device, ObjectNode op, Recorder recorder)
      throws Refused, Lost, Down {
    countOp();
    long start = now();
    JsonNode r;
    try {
      r = device.call(op);
    } catch (Lost e) {
      StormHistory.Event event = recorder.record(start, now(), Outcome.INDETERMINATE, null);
      if (event != null) {
        history.add(event);
      }
      throw e;
    } catch (Refused e) {
      // Failed at the call: nothing committed, but a storm's writes are all valid; reported.
      throw e;
    }
    StormHistory.Event event = recorder.record(start, now(), Outcome.OK, r);
    if (event != null) {
      history.add(event);
    }
  }

  private void looseWrite(StormDevice device, ObjectNode op) throws Refused, Lost, Down {
    countOp();
    device.call(op);
    synchronized (this) {
      result.looseWrites++;
    }
  }

  private void read(StormDevice device, String space, String docId) throws Refused, Lost, Down {
    countOp();
    long start = now();
    JsonNode r = device.call(op("read", space).put("doc", docId));
    history.add(toRead(device.name, start, now(), docName(space, docId), docId, r));
  }

  /** Turns a structured read ({@link StormOps#read}) into a history read. */
  static Read toRead(String client, long start, long end, String doc, String docId, JsonNode r) {
    Set<String> atoms = new TreeSet<>();
    Map<String, Long> counters = new TreeMap<>();
    Map<String, Set<String>> registers = new TreeMap<>();
    if (docId.equals(StormOps.MAIN_CART)) {
      StormOps.items(r).forEach((sku, q) -> atoms.addAll(atoms(sku, q)));
    }
    r.path("tags").forEach(t -> atoms.add("tags#" + t.asText()));
    r.path("counters").properties().forEach(e -> counters.put(e.getKey(), e.getValue().asLong()));
    r.path("registers").properties().forEach(e -> registers.put(e.getKey(), strings(e.getValue())));
    return new Read(client, start, end, doc, atoms, counters, registers);
  }

  static Set<String> atoms(String sku, long quantity) {
    Set<String> atoms = new TreeSet<>();
    for (int bit = 0; bit < 63; bit++) {
      if ((quantity & (1L << bit)) != 0) {
        atoms.add(sku + "#" + bit);
      }
    }
    return atoms;
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  /** The power-of-two increments of one space's exact cart: each bit of a sku is added once. */
  private static final class SkuBits {
    private final List<String> active = new ArrayList<>(List.of("s0", "s1", "s2", "s3"));
    private final Map<String, Integer> next = new HashMap<>();
    private int names = 4;

    synchronized String[] next(Random random) {
      int i = random.nextInt(active.size());
      String sku = active.get(i);
      int bit = next.getOrDefault(sku, 0);
      next.put(sku, bit + 1);
      if (bit + 1 > 30) {
        // Increments stay within the server's bound (2^31): a used-up sku gives way to a new one.
        active.set(i, "s" + names++);
      }
      return new String[] {sku, Integer.toString(bit)};
    }
  }

  // ---- status sampling -------------------------------------------------------------------------

  private void sampleLoop() {
    while (sampling.get()) {
      for (StormDevice device : devices) {
        if (!device.running()) {
          continue;
        }
        long at = now();
        try {
          JsonNode s = device.call(op("status"));
          long foreignChanges = s.path("foreignChanges").asLong();
          if (foreignChanges > 0) {
            foreignSeen.merge(device.name, foreignChanges, Math::max);
          }
          history.sample(
              new Sample(
                  device.name,
                  at,
                  s.path("connection").asText(),
                  s.path("pending").asLong(),
                  s.path("rejected").asLong(),
                  s.path("lastAck").asText(null)));
        } catch (Refused | Lost | Down e) {
          // not running at the moment
        }
      }
      sleep(250);
    }
  }

  // ---- chaos -----------------------------------------------------------------------------------

  /** The fault schedule: a few faults of every class at fixed points, random ones in between. */
  private final class Chaos {
    private final Random random;
    private final List<Thread> running = new ArrayList<>();
    private final Set<StormDevice> restarting = ConcurrentHashMap.newKeySet();

    Chaos(Random random) {
      this.random = random;
    }

    void run() {
      long span = duration.toMillis();
      // The heavy faults at seeded points of the storm's middle part: one server kill, database
      // termination and SIGKILL of each client process per started 30 s, at least one of each.
      int rounds = (int) Math.max(1, (span + 29_999) / 30_000);
      List<Long> serverKills = points(rounds, span);
      List<Long> dbKills = points(rounds, span);
      Map<StormDevice, List<Long>> clientKills = new LinkedHashMap<>();
      for (StormDevice d : devices) {
        if (d.remote()) {
          clientKills.put(d, points(rounds, span));
        }
      }
      long start = System.currentTimeMillis();
      Thread restarting = null;
      while (storming.get()) {
        long elapsed = System.currentTimeMillis() - start;
        // One node down at a time: the other keeps the service up.
        if (due(serverKills, elapsed) && (restarting == null || !restarting.isAlive())) {
          serverKills.remove(0);
          restarting = restartServer();
        }
        if (due(dbKills, elapsed)) {
          dbKills.remove(0);
          terminateDatabaseConnections();
        }
        for (Map.Entry<StormDevice, List<Long>> e : clientKills.entrySet()) {
          if (due(e.getValue(), elapsed)) {
            e.getValue().remove(0);
            killClient(e.getKey());
          }
        }
        randomFault();
        sleep(300 + random.nextInt(1_500));
      }
      for (Thread t : running) {
        try {
          t.join(TimeUnit.MINUTES.toMillis(3));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void fault(String kind, StormDevice device) {
      result.fault(kind);
      history.note(now(), kind + " on " + device.name);
    }

    private List<Long> points(int n, long span) {
      List<Long> points = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        points.add((long) (span * (0.1 + 0.7 * random.nextDouble())));
      }
      points.sort(Long::compare);
      return points;
    }

    private boolean due(List<Long> points, long elapsed) {
      return !points.isEmpty() && elapsed >= points.get(0);
    }

    private void randomFault() {
      StormDevice device = devices.get(random.nextInt(devices.size()));
      FaultProxy proxy = proxies.get(device);
      long lasting = 1_000 + random.nextInt(9_000);
      int dice = random.nextInt(100);
      if (dice < 14) {
        proxy.latency(20 + random.nextInt(300), random.nextInt(200));
        fault("latency", device);
      } else if (dice < 24) {
        proxy.bandwidth(2_048 + random.nextInt(30_000));
        fault("bandwidth", device);
      } else if (dice < 40) {
        proxy.cutAll();
        fault("cut-mid-frame", device);
        return;
      } else if (dice < 48) {
        proxy.halfOpenAll();
        fault("half-open", device);
        return;
      } else if (dice < 52) {
        if (silentUpgrades) {
          // The server host vanishes while the client reconnects: its upgrade is never answered.
          proxy.halfOpenNext();
          proxy.cutAll();
          fault("silent-upgrade", device);
        } else {
          proxy.cutAll();
          fault("cut-mid-frame", device);
        }
        return;
      } else if (dice < 64) {
        proxy.partition(false);
        fault("partition", device);
      } else if (dice < 74) {
        proxy.partition(true);
        fault("partition-refused", device);
      } else if (dice < 81) {
        proxy.blackhole(FaultProxy.Direction.UPSTREAM);
        fault("blackhole-upstream", device);
      } else if (dice < 88) {
        proxy.blackhole(FaultProxy.Direction.DOWNSTREAM);
        fault("blackhole-downstream", device);
      } else if (dice < 92) {
        terminateDatabaseConnections();
        return;
      } else if (dice < 96) {
        if (device.remote()) {
          killClient(device);
        }
        return;
      } else {
        return;
      }
      long healIn = lasting;
      background(
          "heal-" + device.name,
          () -> {
            sleep(healIn);
            proxy.heal();
          });
    }

    private Thread restartServer() {
      TestServer.Node node = nodes.get(random.nextInt(nodes.size()));
      long down = 500 + random.nextInt(3_000);
      result.fault("server-kill");
      return background(
          "restart-" + node.name(),
          () -> {
            try {
              history.note(now(), "kill -9 " + node.name());
              node.kill();
              sleep(down);
              startAgain(node);
              history.note(now(), node.name() + " ready again");
              synchronized (result) {
                result.serverRestarts++;
              }
            } catch (Exception e) {
              violations.add(
                  new Violation("harness", "could not restart " + node.name() + ": " + e));
            }
          });
    }

    private void killClient(StormDevice device) {
      long down = 200 + random.nextInt(2_000);
      if (!restarting.add(device)) {
        // already down and coming back: one crash at a time
        return;
      }
      fault("client-kill", device);
      background(
          "kill-" + device.name,
          () -> {
            try {
              device.crash();
              history.note(now(), device.name + " killed");
              synchronized (result) {
                result.clientKills++;
              }
              sleep(down);
              device.start();
              history.note(now(), device.name + " restarted");
            } catch (Exception e) {
              violations.add(
                  new Violation("harness", "could not restart " + device.name + ": " + e));
            } finally {
              restarting.remove(device);
            }
          });
    }

    private Thread background(String name, Runnable work) {
      Thread thread = daemon("storm-" + name, work);
      running.add(thread);
      return thread;
    }
  }

  private void terminateDatabaseConnections() {
    result.fault("db-terminate");
    history.note(now(), "pg_terminate_backend of the server's connections");
    String url = TestServer.databaseUrl();
    String database = url.substring(url.lastIndexOf('/') + 1);
    try (Connection db =
            DriverManager.getConnection(
                "jdbc:" + url, TestServer.databaseUser(), TestServer.databasePassword());
        Statement statement = db.createStatement()) {
      statement.execute("set statement_timeout = '5s'");
      try (ResultSet rs =
          statement.executeQuery(
              "select count(*) filter (where pg_terminate_backend(pid))"
                  + " from pg_stat_activity where datname = '"
                  + database
                  + "' and pid <> pg_backend_pid()")) {
        rs.next();
        synchronized (result) {
          result.dbBackendsTerminated += rs.getInt(1);
        }
      }
    } catch (Exception e) {
      violations.add(new Violation("harness", "could not terminate database connections: " + e));
    }
  }

  /**
   * Starts a killed node again, as an orchestrator would: a start that fails (the process exits) is
   * counted and tried again, up to three times.
   */
  private void startAgain(TestServer.Node node) throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        node.restart();
        return;
      } catch (IllegalStateException e) {
        synchronized (result) {
          result.failedServerStarts++;
        }
        history.note(now(), node.name() + " failed to start: " + e.getMessage());
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  // ---- heal and quiesce ------------------------------------------------------------------------

  private long heal() throws Exception {
    for (TestServer.Node node : nodes) {
      if (!node.alive()) {
        startAgain(node);
      }
    }
    proxies.values().forEach(FaultProxy::heal);
    history.note(now(), "healed");
    for (StormDevice device : devices) {
      if (!device.running()) {
        device.start();
      }
      if (paused.remove(device)) {
        device.call(op("resume"));
      }
    }
    return now();
  }

  private boolean quiesce(long healAt) throws InterruptedException {
    long deadline = healAt + QUIESCENCE_BOUND.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(devices.size());
    try {
      int quietRounds = 0;
      Map<String, String> failures = new TreeMap<>();
      while (now() < deadline) {
        failures.clear();
        Map<StormDevice, Future<String>> round = new LinkedHashMap<>();
        long start = now();
        for (StormDevice device : devices) {
          round.put(
              device,
              pool.submit(
                  () -> {
                    try {
                      device.syncNow(Duration.ofSeconds(45));
                      return null;
                    } catch (Refused | Lost | Down e) {
                      return e.getMessage();
                    }
                  }));
        }
        for (Map.Entry<StormDevice, Future<String>> e : round.entrySet()) {
          try {
            String failure = e.getValue().get(2, TimeUnit.MINUTES);
            if (failure == null) {
              history.add(new StormHistory.Acked(e.getKey().name, start, now()));
            } else {
              failures.put(e.getKey().name, failure);
            }
          } catch (Exception ex) {
            failures.put(e.getKey().name, String.valueOf(ex));
          }
        }
        quietRounds = failures.isEmpty() ? quietRounds + 1 : 0;
        if (quietRounds >= 2 && pendingEverywhere() == 0) {
          return true;
        }
      }
      StringBuilder text =
          new StringBuilder(
              "no quiescence within "
                  + QUIESCENCE_BOUND
                  + " of healing: syncNow failures "
                  + failures);
      for (StormDevice device : devices) {
        try {
          text.append("\n    ").append(device.name).append(" ").append(device.call(op("status")));
        } catch (Exception e) {
          text.append("\n    ").append(device.name).append(" ").append(e);
        }
      }
      violations.add(new Violation("liveness", text.toString()));
      return false;
    } finally {
      pool.shutdownNow();
    }
  }

  private long pendingEverywhere() {
    long pending = 0;
    for (StormDevice device : devices) {
      try {
        pending += device.call(op("status")).path("pending").asLong();
      } catch (Exception e) {
        pending++;
      }
    }
    return pending;
  }

  // ---- the checks ------------------------------------------------------------------------------

  private void check(long healAt) throws Exception {
    Map<String, Map<String, String>> states = new TreeMap<>();
    Map<String, Read> finals = new TreeMap<>();
    List<ForeignObservation> foreign = new ArrayList<>();
    for (String space : spaces) {
      String reader =
          users.stream().filter(u -> grants.get(u).contains(space)).findFirst().orElseThrow();
      for (String docId : DOCS) {
        String doc = docName(space, docId);
        JsonNode server = serverDocument(reader, space, docId);
        states
            .computeIfAbsent(doc, d -> new TreeMap<>())
            .put("server", StormOps.normalizedServerView(server).toString());
        finals.put(doc, serverRead(doc, docId, server));
      }
    }
    for (StormDevice device : devices) {
      for (String space : spaces) {
        boolean allowed = granted(device).contains(space);
        for (String docId : DOCS) {
          String doc = docName(space, docId);
          JsonNode json = device.call(op("readJson", space).put("doc", docId));
          if (allowed) {
            states.get(doc).put(device.name, json.toString());
            long start = now();
            JsonNode r = device.call(op("read", space).put("doc", docId));
            history.add(toRead(device.name, start, now(), doc, docId, r));
          } else {
            boolean leaked = json.path("value").size() > 0 || json.path("conflicts").size() > 0;
            foreign.add(
                new ForeignObservation(device.name, "document " + doc + ": " + json, leaked));
          }
        }
      }
      JsonNode status = device.call(op("status"));
      long foreignChanges =
          Math.max(
              status.path("foreignChanges").asLong(), foreignSeen.getOrDefault(device.name, 0L));
      foreign.add(
          new ForeignObservation(
              device.name,
              foreignChanges + " committed changes of spaces " + device.foreign,
              foreignChanges > 0));
      if (status.path("rejected").asLong() > 0) {
        violations.add(
            new Violation(
                "writes",
                device.name
                    + " has "
                    + status.path("rejected").asLong()
                    + " rejected changes: honest writes refused"));
      }
      status
          .path("spaces")
          .properties()
          .forEach(
              e -> {
                if (!granted(device).contains(e.getKey())
                    && !e.getValue().path("forbidden").asBoolean()) {
                  foreign.add(
                      new ForeignObservation(
                          device.name,
                          "a subscription to "
                              + e.getKey()
                              + " not marked forbidden: "
                              + e.getValue(),
                          true));
                }
              });
    }
    for (String user : users) {
      for (String space : spaces) {
        if (!grants.get(user).contains(space)) {
          int status = restStatus(user, space, StormOps.PROFILE);
          foreign.add(
              new ForeignObservation(
                  user,
                  "REST read of " + space + "/profiles/me answered " + status,
                  status != 403 && status != 404));
        }
      }
    }
    List<StormHistory.Event> events = history.snapshot();
    Tally tally = new Tally();
    violations.addAll(StormCheckers.convergence(states));
    violations.addAll(StormCheckers.writes(events, finals, healAt, tally));
    violations.addAll(StormCheckers.sessions(events));
    violations.addAll(StormCheckers.isolation(foreign));
    tally.reads = events.stream().filter(e -> e instanceof Read).count();
    result.tally = tally;
  }

  private TestServer.Node liveNode() {
    return nodes.stream().filter(TestServer.Node::alive).findFirst().orElseThrow();
  }

  private JsonNode serverDocument(String user, String space, String docId) throws Exception {
    var key = StormOps.key(space, docId);
    HttpResponse<String> response =
        get(user, space, "/documents/" + key.collection() + "/" + key.docId());
    if (response.statusCode() == 404) {
      return null;
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "REST read of "
              + space
              + "/"
              + docId
              + ": "
              + response.statusCode()
              + " "
              + response.body());
    }
    return StormOps.JSON.readTree(response.body());
  }

  private int restStatus(String user, String space, String docId) throws Exception {
    var key = StormOps.key(space, docId);
    return get(user, space, "/documents/" + key.collection() + "/" + key.docId()).statusCode();
  }

  private HttpResponse<String> get(String user, String space, String path)
      throws IOException, InterruptedException {
    URI uri =
        liveNode()
            .uri()
            .resolve(
                "/v1/spaces/"
                    + URLEncoder.encode(space, StandardCharsets.UTF_8).replace("+", "%20")
                    + path);
    return http.send(
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + tokens.get(user))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The server's document as a final read: items, tags, counters and every register value. */
  private Read serverRead(String doc, String docId, JsonNode server) {
    ObjectNode r = StormOps.NODES.objectNode();
    JsonNode value = server == null ? StormOps.NODES.objectNode() : server.path("value");
    if (docId.equals(StormOps.MAIN_CART) || docId.equals(StormOps.LOOSE_CART)) {
      ObjectNode items = r.putObject("items");
      value
          .path("items")
          .properties()
          .forEach(
              e -> {
                long q = e.getValue().path("qty").asLong();
                if (q > 0) {
                  items.put(e.getKey(), q);
                }
              });
    } else {
      ObjectNode registers = r.putObject("registers");
      List<String> names =
          docId.equals(StormOps.PROFILE) ? StormOps.PROFILE_FIELDS : List.of("title");
      for (String name : names) {
        var values = registers.putArray(name);
        if (value.has(name)) {
          values.add(value.path(name).asText());
          if (server != null) {
            for (JsonNode c : server.path("conflicts")) {
              if (c.path("path").size() == 1 && c.path("path").get(0).asText().equals(name)) {
                c.path("losers").forEach(l -> values.add(l.path("value").asText()));
              }
            }
          }
        }
      }
      if (docId.equals(StormOps.NOTE_ID)) {
        r.putObject("counters").put("views", value.path("views").asLong(0));
        var tags = r.putArray("tags");
        value.path("tags").forEach(tags::add);
      }
    }
    return toRead("server", now(), now(), doc, docId, r);
  }

  /** Writes every event and status sample, in time order, for the analysis of a failing seed. */
  private void dumpHistory(Path file) {
    List<String> lines = new ArrayList<>();
    for (StormHistory.Event e : history.snapshot()) {
      lines.add(String.format("%10.3f %s", e.start() / 1e6, e));
    }
    for (Sample sample : history.samples()) {
      lines.add(String.format("%10.3f %s", sample.at() / 1e6, sample));
    }
    for (StormHistory.Note note : history.notes()) {
      lines.add(String.format("%10.3f NOTE %s", note.at() / 1e6, note.text()));
    }
    lines.sort(null);
    try {
      Files.write(file, lines);
    } catch (IOException e) {
      violations.add(new Violation("harness", "could not write " + file + ": " + e));
    }
  }

  // ---- reporting -------------------------------------------------------------------------------

  /** Appends one line of figures to {@code file} (tab-separated, with a header when new). */
  static void appendFigures(Path file, Result r) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    boolean fresh = !Files.exists(file);
    StringBuilder line = new StringBuilder();
    if (fresh) {
      line.append(
          "seed\tseconds\toperations\twrites_checked\tacked\tacked_during_storm\tindeterminate\treads\t"
              + "loose_writes\tfaults\tserver_restarts\tfailed_server_starts\tclient_kills\tlocal_restarts\t"
              + "db_terminated\t"
              + "violations\tfault_classes\n");
    }
    line.append(r.seed)
        .append('\t')
        .append(String.format("%.1f", r.seconds))
        .append('\t')
        .append(r.operations)
        .append('\t')
        .append(r.tally.writes)
        .append('\t')
        .append(r.tally.acked)
        .append('\t')
        .append(r.tally.ackedBeforeHeal)
        .append('\t')
        .append(r.tally.indeterminate)
        .append('\t')
        .append(r.tally.reads)
        .append('\t')
        .append(r.looseWrites)
        .append('\t')
        .append(r.totalFaults())
        .append('\t')
        .append(r.serverRestarts)
        .append('\t')
        .append(r.failedServerStarts)
        .append('\t')
        .append(r.clientKills)
        .append('\t')
        .append(r.localRestarts)
        .append('\t')
        .append(r.dbBackendsTerminated)
        .append('\t')
        .append(r.violations.size())
        .append('\t')
        .append(r.faults)
        .append('\n');
    Files.writeString(
        file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static Thread daemon(String name, Runnable work) {
    Thread thread = new Thread(work, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(Math.max(0, millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
