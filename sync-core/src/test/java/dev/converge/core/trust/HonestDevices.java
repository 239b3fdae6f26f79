package dev.converge.core.trust;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.RandomMutations;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Honest devices editing one document offline and syncing through a server that applies the trust
 * rules, as the real server does: each device pushes its outbox in order, pulls the server's state,
 * and sometimes re-keys (a new replica id that carries the unsent writes of the old one). For
 * property tests; deterministic for a seed.
 */
final class HonestDevices {

  final Random random;
  final DeltaVerifier verifier = new DeltaVerifier(1L << 31);
  final Document server = new Document();
  final List<Device> devices = new ArrayList<>();

  /** Violations the server found in honest deltas; a correct trust boundary leaves it empty. */
  final List<String> refusals = new ArrayList<>();

  private long millis = 1_000;
  private int rekeys;

  static final class Device {
    final Document state = new Document();
    final Deque<Document> outbox = new ArrayDeque<>();
    String replica;
    String predecessor;

    Device(String replica) {
      this.replica = replica;
    }
  }

  HonestDevices(long seed) {
    random = new Random(seed);
    int count = 2 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      devices.add(new Device("d" + i));
    }
  }

  HonestDevices run(int steps) {
    for (int step = 0; step < steps; step++) {
      Device device = devices.get(random.nextInt(devices.size()));
      switch (random.nextInt(10)) {
        case 0, 1 -> push(device);
        case 2, 3 -> device.state.join(server);
        case 4 -> rekey(device);
        default -> device.outbox.add(mutate(device));
      }
    }
    devices.forEach(this::push);
    devices.forEach(d -> d.state.join(server));
    return this;
  }

  private void push(Device device) {
    Set<String> predecessors = device.predecessor == null ? Set.of() : Set.of(device.predecessor);
    Lineage lineage = new Lineage(device.replica, predecessors);
    while (!device.outbox.isEmpty()) {
      Document delta = device.outbox.poll();
      Optional<Violation> violation = verifier.verify(server, delta, lineage);
      violation.ifPresentOrElse(
          v -> refusals.add(v.code() + ": " + v.message() + " in " + delta),
          () -> server.join(delta));
    }
  }

  /** A new replica id; unsent deltas keep the old id's dots, which the lineage vouches for. */
  private void rekey(Device device) {
    if (device.predecessor != null && !device.outbox.isEmpty()) {
      push(device); // the SDK keeps one predecessor: it drains before re-keying twice
    }
    device.predecessor = device.outbox.isEmpty() ? null : device.replica;
    device.replica = device.replica.replaceAll("-k\\d+$", "") + "-k" + (++rekeys);
  }

  private Document mutate(Device device) {
    millis += random.nextInt(3);
    return RandomMutations.apply(
        device.state, device.replica, random, new Hlc(millis, random.nextInt(2)));
  }
}
