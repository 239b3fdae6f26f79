package dev.converge.e2e;

import dev.converge.core.crdt.Document;
import dev.converge.e2e.StormCheckers.ForeignObservation;
import dev.converge.e2e.StormCheckers.Tally;
import dev.converge.e2e.StormCheckers.Violation;
import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.SpaceStatus;
import dev.converge.sdk.SyncStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One seed of the deterministic simulation: six devices of three users (two each; shared spaces
 * {@code team:t} of all and {@code pair:p} of the first two, plus each user's own space; {@code d5}
 * also subscribes to the first user's space, which the server must refuse) and a hostile member,
 * against one {@link SimServer}, over {@link SimNet}, for {@link #STORM} of simulated time with a
 * seeded schedule of operations, faults (partitions that hold or reset, cuts, half-open links, lost
 * acks, server crashes) and device crashes. Then everything heals, each device syncs until two
 * rounds in a row find every device caught up, and the storm's checkers run on the history and the
 * final states. Everything is drawn from the seed, so a seed replays exactly.
 */
final class SimRun {

  static final Duration STORM = Duration.ofSeconds(Long.getLong("sim.stormSeconds", 10));
  static final Duration STALL_BOUND = Duration.ofSeconds(60);
  static final long QUIESCENCE_BOUND_MS = 180_000;

  static final List<String> USERS = List.of("u1", "u2", "u3");
  static final String TEAM = "team:t";
  static final String PAIR = "pair:p";
  static final String HOSTILE_USER = "mallory";

  /** Backups, restores and copies of device files: {@code -Dsim.fileFaults=synced} (default). */
  static final SimFileFaults.Mode FILE_FAULTS =
      SimFileFaults.Mode.of(System.getProperty("sim.fileFaults", "synced"));

  /** The outcome of one seed. */
  record Result(long seed, List<Violation> violations, SimFigures figures, Tally tally) {}

  private final long seed;
  private final Path dir;
  private final Random random;
  private final SimWorld world;
  private final SimServer server;
  private final List<SimDevice> devices = new ArrayList<>();
  private final Map<SimDevice, SimApp> apps = new LinkedHashMap<>();
  private final SimHostile hostile;
  private final SimFileFaults files;
  private boolean storming = true;
  private long stormEnd;

  SimRun(long seed, Path dir) {
    this(seed, dir, "");
  }

  /** A run with a known bug planted in the server (see {@link SimServer#plant(String)}). */
  SimRun(long seed, Path dir, String plant) {
    this.seed = seed;
    this.dir = dir;
    this.random = new Random(seed);
    this.world = new SimWorld(seed);
    // Sorted sets: Set.of iterates in an order drawn per JVM, and a seed must replay anywhere.
    Map<String, Set<String>> grants = new TreeMap<>();
    grants.put("u1", new TreeSet<>(List.of("user:u1", TEAM, PAIR)));
    grants.put("u2", new TreeSet<>(List.of("user:u2", TEAM, PAIR)));
    grants.put("u3", new TreeSet<>(List.of("user:u3", TEAM)));
    grants.put(HOSTILE_USER, new TreeSet<>(List.of(TEAM, PAIR)));
    this.server = new SimServer(world.loop, new Random(seed ^ 0x5eed), grants, world.figures);
    world.net = new SimNet(world.loop, new Random(seed ^ 0x7e7), server, world.figures);
    server.attach(world.net);
    server.plant(plant);
    world.plant = plant;
    for (int i = 0; i < 6; i++) {
      String user = USERS.get(i / 2);
      List<String> spaces = new ArrayList<>(new java.util.TreeSet<>(grants.get(user)));
      if (i == 5) {
        spaces.add("user:u1");
      }
      long skew =
          switch (random.nextInt(5)) {
            case 0 -> 0;
            case 1 -> random.nextInt(120_000) - 60_000;
            case 2 -> (random.nextBoolean() ? 1 : -1) * (2 + random.nextInt(4)) * 3_600_000L;
            case 3 -> -(30L * 3_600_000);
            default -> random.nextInt(2_000);
          };
      SimDevice d =
          new SimDevice(
              "d" + i,
              user,
              spaces,
              grants.get(user),
              skew,
              1 + random.nextInt(20),
              dir.resolve("d" + i + ".db"),
              world);
      if (Math.abs(skew) < 500 || (i == 0 && plant.contains("stale-token"))) {
        // Tokens that expire during the storm: refreshed on the session, or the session ends
        // with token_expired and the device connects again with a fresh one. The SDK times its
        // refresh on its own clock, a fifth of the lifetime before the server's expiry: a device
        // whose clock is off by more than that margin (less the way to the server) refreshes too
        // late and sees each session end at the expiry (seed 4490, docs/reliability.md), so only
        // devices within 0.5 s of the server get short tokens, of at least 6 s.
        d.tokenLifetimeMillis = 6_000 + random.nextInt(14_000);
        if (i == 0 && plant.contains("stale-token")) {
          // The stale token must expire well before the storm ends.
          d.tokenLifetimeMillis = 3_000;
        }
      }
      devices.add(d);
      apps.put(d, new SimApp(d, world, new Random(seed * 7 + i)));
    }
    this.hostile =
        new SimHostile(
            HOSTILE_USER,
            List.of(TEAM, PAIR),
            "user:u2",
            world,
            server,
            devices,
            new Random(seed ^ 0xbad));
    // The planted lineage-blind bug needs outbox rows in the restored or copied files.
    SimFileFaults.Mode mode =
        plant.contains("lineage-blind") ? SimFileFaults.Mode.ALL : FILE_FAULTS;
    this.files = new SimFileFaults(world, mode, new Random(seed ^ 0xf11e), this::install);
  }

  /** Starts a copied install as one more device, with its own app and crash schedule. */
  private void install(SimDevice copy) {
    devices.add(copy);
    apps.put(copy, new SimApp(copy, world, new Random(seed * 7 + devices.size())));
    copy.start();
    scheduleApp(copy);
    scheduleCrash(copy, stormEnd);
  }

  /** Returns the run's history, faults and samples in time order (for reading a failing seed). */
  String historyText() {
    List<String> lines = new ArrayList<>();
    for (StormHistory.Event e : world.history.snapshot()) {
      lines.add(String.format("%10.3f %s", e.start() / 1e6, e));
    }
    for (StormHistory.Sample s : world.history.samples()) {
      lines.add(String.format("%10.3f %s", s.at() / 1e6, s));
    }
    for (StormHistory.Note n : world.history.notes()) {
      lines.add(String.format("%10.3f %s", n.at() / 1e6, n.text()));
    }
    lines.sort(java.util.Comparator.comparing(l -> Double.parseDouble(l.substring(0, 10).trim())));
    return String.join("\n", lines);
  }

  /** Plays the seed and checks it. */
  Result run() {
    SimLoop loop = world.loop;
    devices.forEach(SimDevice::start);
    long end = loop.now() + STORM.toMillis();
    stormEnd = end;
    for (SimDevice d : devices) {
      scheduleApp(d);
      scheduleCrash(d, end);
    }
    scheduleFaults();
    every(1_000, () -> devices.forEach(SimDevice::sample));
    every(1_000, server::compact);
    loop.after(random.nextInt(2_000), this::attack);
    loop.runUntil(end);
    long healAt = loop.tick();
    heal();
    List<Violation> violations = new ArrayList<>();
    quiesce(violations);
    healAt = Math.max(healAt, 0);
    Tally tally = new Tally();
    check(violations, healAt, tally);
    devices.forEach(SimDevice::shutdown);
    return new Result(seed, violations, world.figures, tally);
  }

  private void every(long millis, Runnable work) {
    world.loop.after(
        millis,
        () -> {
          work.run();
          every(millis, work);
        });
  }

  private void scheduleApp(SimDevice d) {
    world.loop.after(
        30 + random.nextInt(600),
        () -> {
          if (!storming) {
            return;
          }
          if (d.alive) {
            apps.get(d).act();
          }
          scheduleApp(d);
        });
  }

  private void scheduleCrash(SimDevice d, long end) {
    long at = world.loop.now() + 2_000 + random.nextInt(12_000);
    if (at >= end) {
      return;
    }
    world.loop.at(
        at,
        () -> {
          if (storming && d.alive) {
            world.history.note(world.loop.tick(), "crash " + d.name);
            boolean synced = d.status().pendingChanges() == 0;
            d.crash();
            files.whileDown(d, synced);
            world.loop.after(200 + random.nextInt(2_500), () -> restart(d));
          }
          scheduleCrash(d, end);
        });
  }

  private void restart(SimDevice d) {
    if (!d.alive) {
      d.start();
    }
  }

  private void attack() {
    if (!storming) {
      return;
    }
    hostile.attack();
    world.loop.after(200 + random.nextInt(1_200), this::attack);
  }

  private void scheduleFaults() {
    world.loop.after(
        300 + random.nextInt(2_500),
        () -> {
          if (!storming) {
            return;
          }
          fault();
          scheduleFaults();
        });
  }

  private void fault() {
    SimNet net = world.net;
    SimDevice d = devices.get(random.nextInt(devices.size()));
    int kind = random.nextInt(10);
    world.history.note(world.loop.tick(), "fault " + kind + " on " + d.name);
    switch (kind) {
      case 0, 1 -> {
        world.figures.count("fault.partition-hold");
        net.partition(d, 500 + random.nextInt(8_000), true);
      }
      case 2 -> {
        world.figures.count("fault.partition-reset");
        net.partition(d, 500 + random.nextInt(8_000), false);
      }
      case 3, 4 -> {
        List<SimNet.Link> links = net.openLinks();
        if (!links.isEmpty()) {
          world.figures.count("fault.cut");
          net.cut(links.get(random.nextInt(links.size())));
        }
      }
      case 5 -> {
        List<SimNet.Link> links = net.openLinks();
        if (!links.isEmpty()) {
          world.figures.count("fault.half-open");
          net.halfOpen(links.get(random.nextInt(links.size())));
        }
      }
      case 6, 7 -> {
        world.figures.count("fault.lost-acks");
        server.lostAckRate = 0.3;
        world.loop.after(1_000 + random.nextInt(4_000), () -> server.lostAckRate = 0);
      }
      default -> {
        world.figures.count("server.crash");
        net.serverDown();
        server.crash();
        world.loop.after(300 + random.nextInt(3_000), net::serverUp);
      }
    }
  }

  /** Ends every fault, restarts every device and resumes every paused one. */
  private void heal() {
    storming = false;
    world.net.healAll();
    server.lostAckRate = 0;
    for (SimDevice d : devices) {
      if (!d.alive) {
        d.start();
      } else if (d.paused) {
        d.resume();
      }
    }
  }

  /**
   * Syncs every device, once a second, until two rounds in a row find all of them online, with
   * nothing pending and every cursor at the server's head; a liveness violation past the bound.
   */
  private void quiesce(List<Violation> violations) {
    SimLoop loop = world.loop;
    long deadline = loop.now() + QUIESCENCE_BOUND_MS;
    int quiet = 0;
    while (quiet < 2 && loop.now() < deadline) {
      devices.forEach(d -> d.syncNow(Duration.ofSeconds(20)));
      loop.runUntil(loop.now() + 1_000);
      quiet = devices.stream().allMatch(this::caughtUp) ? quiet + 1 : 0;
    }
    if (quiet < 2) {
      StringBuilder text =
          new StringBuilder("no quiescence within " + QUIESCENCE_BOUND_MS + " ms:");
      for (SimDevice d : devices) {
        if (!caughtUp(d)) {
          text.append("\n    ").append(d.name).append(' ').append(d.status());
        }
      }
      violations.add(new Violation("liveness", text.toString()));
    }
  }

  private boolean caughtUp(SimDevice d) {
    SyncStatus status = d.status();
    if (status.connection() != ConnectionState.ONLINE || status.pendingChanges() > 0) {
      return false;
    }
    for (String space : d.granted) {
      if (d.store.cursor(space) != server.core.head(space) || d.store.snapshotInProgress(space)) {
        return false;
      }
    }
    return true;
  }

  private void check(List<Violation> violations, long healAt, Tally tally) {
    Map<String, Map<String, String>> states = new TreeMap<>();
    Map<String, StormHistory.Read> finals = new TreeMap<>();
    List<ForeignObservation> foreign = new ArrayList<>();
    Set<String> spaces = new java.util.TreeSet<>(server.grants.get("u1"));
    spaces.addAll(server.grants.get("u2"));
    spaces.addAll(server.grants.get("u3"));
    for (String space : spaces) {
      for (String docId : SimReads.DOCS) {
        DocumentKey key = SimReads.key(space, docId);
        String name = SimReads.name(space, docId);
        Document stored = server.core.document(space, key.collection(), key.docId());
        Map<String, String> byObserver = new TreeMap<>();
        byObserver.put("server", world.codec.encodeDocument(stored));
        for (SimDevice d : devices) {
          if (d.granted.contains(space)) {
            Document mine = d.store.read(key).orElseGet(Document::new);
            byObserver.put(d.name, world.codec.encodeDocument(mine));
          } else if (d.store.read(key).isPresent()) {
            foreign.add(new ForeignObservation(d.name, "holds " + name, true));
          }
        }
        states.put(name, byObserver);
        long t = world.loop.tick();
        finals.put(name, SimReads.read("server", t, t, space, docId, stored));
      }
    }
    for (SimDevice d : devices) {
      if (!d.foreign.isEmpty()) {
        foreign.add(new ForeignObservation(d.name, "changes of " + d.foreign, true));
      }
      for (Map.Entry<String, SpaceStatus> e : d.status().spaces().entrySet()) {
        if (!d.granted.contains(e.getKey()) && !e.getValue().forbidden()) {
          foreign.add(
              new ForeignObservation(
                  d.name, "subscription to " + e.getKey() + " not forbidden", true));
        }
      }
    }
    List<StormHistory.Event> events = world.history.snapshot();
    List<StormRestores.Restore> restores = world.history.restores();
    violations.addAll(StormCheckers.convergence(states));
    violations.addAll(
        StormCheckers.writes(StormRestores.forWrites(events, restores), finals, healAt, tally));
    violations.addAll(StormCheckers.sessions(events, restores));
    violations.addAll(StormCheckers.isolation(foreign));
    violations.addAll(StormCheckers.liveness(world.history.samples(), healAt, STALL_BOUND, 2));
    world.problems.forEach(p -> violations.add(new Violation("sdk", p)));
    tally.reads = events.stream().filter(e -> e instanceof StormHistory.Read).count();
  }
}
