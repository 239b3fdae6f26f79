package dev.converge.core.trust;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.RandomMutations;
import dev.converge.core.crdt.StablePoint;
import dev.converge.core.server.CompactionRules;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Devices syncing one document through a server with a change log, as the product does: a device
 * writes offline into its state and its outbox; it pushes the outbox in order (the server checks
 * each delta with the trust rules, joins it and appends it to the log); it pulls the log in order
 * from its cursor, part of it or all, one delta at a time or as one delta-group, or it takes a
 * snapshot of the server's state. Devices join (from a snapshot), retire and re-key.
 *
 * <p>A compacting simulation compacts the server after every step at the honest stable point: for
 * each live device the lesser of its cursor and the cursor at which its oldest unacked change was
 * made, turned into the server's context at that cursor, met over all live devices; the compaction
 * delta is logged like a change. A simulation running the server's rules ({@link
 * Compaction#SERVER_RULES}) knows only what the real server knows: the reported points, the state
 * and the log. The schedule is drawn up front from a seed ({@link #schedule}), so one schedule runs
 * against a plain and a compacting server. Deterministic.
 */
final class SyncSimulation {

  enum Kind {
    WRITE,
    COUNT,
    PUSH,
    PULL,
    SNAPSHOT,
    JOIN,
    RETIRE,
    REKEY
  }

  /**
   * One step of a schedule.
   *
   * @param device the device slot it acts on (for {@code JOIN}, the new slot)
   * @param seed drives what a write does, and whether a pull is grouped
   * @param count rows to push or client changes to pull; 0 for all
   */
  record Op(Kind kind, int device, long seed, int count) {}

  private record Pending(Document delta, int madeAt) {}

  private record LogEntry(Document delta, boolean fromClient) {}

  static final class Device {
    final Document state;
    final Deque<Pending> outbox = new ArrayDeque<>();
    final String base;
    String replica;
    String predecessor;
    int cursor;

    Device(String replica, Document state, int cursor) {
      this.base = replica;
      this.replica = replica;
      this.state = state;
      this.cursor = cursor;
    }
  }

  /** How the server compacts after every step. */
  enum Compaction {
    /** Never. */
    NONE,
    /** At the honest stable point: the server's context at each device's reported point. */
    HONEST,
    /**
     * By the server's rules ({@link CompactionRules}): the compaction point is the least reported
     * point, and each document's stable point is derived from its state and the log entries above
     * the point, as the real server does it, with a small bound on entries per pass.
     */
    SERVER_RULES
  }

  /** Entries one compaction may replace in the SERVER_RULES mode: small, so passes are partial. */
  static final int MAX_ENTRIES_PER_PASS = 5;

  final Compaction compaction;
  final boolean compacting;
  final Document server = new Document();
  final TreeMap<Integer, Device> devices = new TreeMap<>();
  final DeltaVerifier verifier = new DeltaVerifier(CounterValue.MAX_INCREMENT);

  /** Violations the server found in honest deltas; a correct trust boundary leaves it empty. */
  final List<String> refusals = new ArrayList<>();

  /**
   * Steps at which the stable point derived by the server's rules named a dot the honest point did
   * not (SERVER_RULES mode); the derivation is meant to stay below the honest point.
   */
  final List<String> aboveHonest = new ArrayList<>();

  private final List<LogEntry> log = new ArrayList<>();

  /** What the server had seen after each log entry: {@code seenAt.get(n)} after n entries. */
  private final List<StablePoint> seenAt = new ArrayList<>(List.of(StablePoint.NONE));

  private int step;
  private int rekeys;

  SyncSimulation(boolean compacting, int initialDevices) {
    this(compacting ? Compaction.HONEST : Compaction.NONE, initialDevices);
  }

  SyncSimulation(Compaction compaction, int initialDevices) {
    this.compaction = compaction;
    this.compacting = compaction != Compaction.NONE;
    for (int i = 0; i < initialDevices; i++) {
      devices.put(i, new Device("d" + i, new Document(), 0));
    }
  }

  /** Draws a schedule of {@code steps} operations; the first element's device is the count. */
  static List<Op> schedule(long seed, int steps) {
    Random random = new Random(seed);
    List<Op> ops = new ArrayList<>();
    int initial = 2 + random.nextInt(3);
    ops.add(new Op(Kind.JOIN, initial, 0, 0)); // the header: how many devices start
    List<Integer> live = new ArrayList<>();
    for (int i = 0; i < initial; i++) {
      live.add(i);
    }
    int nextSlot = initial;
    for (int i = 0; i < steps; i++) {
      int device = live.get(random.nextInt(live.size()));
      int roll = random.nextInt(100);
      long opSeed = random.nextLong();
      int count = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(4);
      Kind kind;
      if (roll < 25) {
        kind = Kind.WRITE;
      } else if (roll < 55) {
        kind = Kind.COUNT;
      } else if (roll < 70) {
        kind = Kind.PUSH;
      } else if (roll < 87) {
        kind = Kind.PULL;
      } else if (roll < 91) {
        kind = Kind.SNAPSHOT;
      } else if (roll < 94 && live.size() < 6) {
        kind = Kind.JOIN;
        device = nextSlot++;
        live.add(device);
      } else if (roll < 97 && live.size() > 2) {
        kind = Kind.RETIRE;
        live.remove(Integer.valueOf(device));
      } else {
        kind = Kind.REKEY;
      }
      ops.add(new Op(kind, device, opSeed, count));
    }
    // Everyone catches up: push everything, pull everything, then pull the last compaction.
    for (int pass = 0; pass < 3; pass++) {
      for (int device : live) {
        ops.add(new Op(pass == 0 ? Kind.PUSH : Kind.PULL, device, 0, 0));
      }
    }
    return ops;
  }

  /** Runs {@code op}; in a compacting simulation, compacts the server afterwards. */
  void apply(Op op) {
    step++;
    Device device = devices.get(op.device());
    switch (op.kind()) {
      case WRITE -> {
        Random random = new Random(op.seed());
        Hlc hlc = new Hlc(1_000 + step, random.nextInt(2));
        write(device, RandomMutations.apply(device.state, device.replica, random, hlc));
      }
      case COUNT -> write(device, count(device, new Random(op.seed())));
      case PUSH -> push(device, op.count() == 0 ? Integer.MAX_VALUE : op.count());
      case PULL ->
          pull(device, op.count() == 0 ? Integer.MAX_VALUE : op.count(), op.seed() % 2 != 0);
      case SNAPSHOT -> {
        device.state.join(server);
        device.cursor = log.size();
      }
      case JOIN ->
          devices.put(op.device(), new Device("n" + op.device(), server.copy(), log.size()));
      case RETIRE -> {
        push(device, Integer.MAX_VALUE);
        devices.remove(op.device());
      }
      case REKEY -> rekey(device);
    }
    if (compacting) {
      compact();
    }
  }

  /** Increments a cart line or a plain counter, or removes a cart line offline. */
  private static Document count(Device device, Random random) {
    String sku = "k" + random.nextInt(3);
    int roll = random.nextInt(10);
    if (roll < 2) {
      return device.state.remove(List.of("items", sku));
    }
    long amount =
        roll == 2
            ? (random.nextBoolean() ? CounterValue.MAX_INCREMENT : -CounterValue.MAX_INCREMENT)
            : (random.nextInt(4) == 0 ? -1 : 1 + random.nextInt(5));
    List<String> path = roll == 3 ? List.of("visits") : List.of("items", sku, "qty");
    return device.state.addToCounter(device.replica, path, amount);
  }

  private void write(Device device, Document delta) {
    device.outbox.add(new Pending(delta, device.cursor));
  }

  private void push(Device device, int rows) {
    Set<String> predecessors = device.predecessor == null ? Set.of() : Set.of(device.predecessor);
    Lineage lineage = new Lineage(device.replica, predecessors);
    for (int i = 0; i < rows && !device.outbox.isEmpty(); i++) {
      Document delta = device.outbox.poll().delta();
      verifier
          .verify(server, delta, lineage)
          .ifPresentOrElse(
              v -> refusals.add(v.code() + ": " + v.message() + " in " + delta),
              () -> append(delta, true));
    }
  }

  private void append(Document delta, boolean fromClient) {
    server.join(delta);
    log.add(new LogEntry(delta, fromClient));
    seenAt.add(StablePoint.of(server.context()));
  }

  /** Applies the log in order from the cursor up to the {@code changes}-th client change. */
  private void pull(Device device, int changes, boolean grouped) {
    int end = device.cursor;
    for (int seen = 0; end < log.size() && seen < changes; end++) {
      if (log.get(end).fromClient()) {
        seen++;
      }
    }
    Document group = new Document();
    for (LogEntry entry : log.subList(device.cursor, end)) {
      (grouped ? group : device.state).join(entry.delta());
    }
    device.state.join(group);
    device.cursor = end;
  }

  /** A new replica id; unsent deltas keep the old id's dots, which the lineage vouches for. */
  private void rekey(Device device) {
    if (device.predecessor != null && !device.outbox.isEmpty()) {
      push(device, Integer.MAX_VALUE); // the SDK keeps one predecessor: it drains first
    }
    device.predecessor = device.outbox.isEmpty() ? null : device.replica;
    device.replica = device.base + "-k" + (++rekeys);
  }

  /** The server compacts at the stable point of the live devices and logs the compaction delta. */
  private void compact() {
    StablePoint stable = null;
    List<Long> reports = new ArrayList<>();
    for (Device device : devices.values()) {
      // A change still in the outbox was made against an older view than the cursor.
      int seen = device.cursor;
      for (Pending pending : device.outbox) {
        seen = Math.min(seen, pending.madeAt());
      }
      reports.add((long) seen);
      StablePoint point = seenAt.get(seen);
      stable = stable == null ? point : stable.meet(point);
    }
    if (compaction == Compaction.SERVER_RULES) {
      // What the server knows: the reported points (serverSeqs), the state, the log above them.
      int point = (int) CompactionRules.compactionPoint(log.size(), 0, reports);
      List<Document> pushedAbove = new ArrayList<>();
      for (LogEntry entry : log.subList(point, log.size())) {
        if (entry.fromClient()) {
          pushedAbove.add(entry.delta());
        }
      }
      StablePoint derived = CompactionRules.stablePoint(server, pushedAbove);
      if (stable != null && !derived.isBelow(StablePoint.of(server.context()).meet(stable))) {
        aboveHonest.add("step " + step + ": derived " + derived + ", honest " + stable);
      }
      stable = CompactionRules.bounded(server, derived, MAX_ENTRIES_PER_PASS);
    }
    if (stable != null) {
      Document delta = server.compact(stable);
      if (!delta.isEmpty()) {
        log.add(new LogEntry(delta, false));
        seenAt.add(StablePoint.of(server.context()));
      }
    }
  }

  /** Returns what every replica reads: the server's and each live device's plain JSON. */
  TreeMap<String, JsonNode> reads() {
    TreeMap<String, JsonNode> reads = new TreeMap<>();
    reads.put("server", server.toJson());
    devices.forEach((slot, device) -> reads.put("device " + slot, device.state.toJson()));
    return reads;
  }

  /** Returns how many log entries the server holds (compaction deltas included). */
  int logSize() {
    return log.size();
  }
}
