package dev.converge.e2e;

import dev.converge.core.crdt.HybridClock;
import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.SyncStatus;
import dev.converge.sdk.internal.store.PushLimits;
import dev.converge.sdk.internal.store.SqliteStore;
import dev.converge.sdk.internal.sync.Action;
import dev.converge.sdk.internal.sync.Event;
import dev.converge.sdk.internal.sync.SyncMachine;
import dev.converge.sdk.internal.sync.Timer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One honest device: the SDK's own {@link SyncMachine} over the SDK's own {@link SqliteStore} on a
 * file, driven as the SDK's engine drives it (timers, the token answered at once, one session at a
 * time whose late callbacks are ignored, frames encoded and decoded by the protocol codec), on a
 * clock that may be skewed from the server's. A crash drops everything in memory and reopens the
 * same file.
 */
final class SimDevice implements SimActor {

  final String name;
  final String subject;
  final List<String> spaces;
  final Set<String> granted;
  final long skewMillis;
  final Path file;
  private final SimLoop loop;
  private final SimNet net;
  private final StormHistory history;
  private final SimFigures figures;
  private final ProtocolCodec codec;
  private final long seed;
  final int batchSize;
  private final List<String> problems;
  private final SimWorld world;

  SqliteStore store;
  private SyncMachine machine;
  private SimNet.Link link;
  private final Map<Timer, Long> timers = new HashMap<>();
  private long timerIds;
  private long incarnation;
  private int replicaIds;
  private long waiters;
  private final Map<Long, Long> syncStarts = new HashMap<>();
  boolean alive;
  boolean paused;

  /** The replica id the store had after the last step: a change is a re-key. */
  private String replicaId;

  /**
   * How long the tokens this device's supplier hands out last, in server time ({@link
   * SimServer#token}): short ones expire during the storm, so the machine's refresh ({@code auth})
   * and its reconnect after {@code token_expired} run.
   */
  long tokenLifetimeMillis = 3_600_000;

  /** The first token supplied: the planted {@code stale-token} bug hands it out forever. */
  private String firstToken;

  /** Changes of spaces this device's user is not granted that it committed (must stay 0). */
  final List<String> foreign = new ArrayList<>();

  SimDevice(
      String name,
      String subject,
      List<String> spaces,
      Set<String> granted,
      long skewMillis,
      int batchSize,
      Path file,
      SimWorld world) {
    this.name = name;
    this.subject = subject;
    this.spaces = spaces;
    this.granted = granted;
    this.skewMillis = skewMillis;
    this.batchSize = batchSize;
    this.file = file;
    this.loop = world.loop;
    this.net = world.net;
    this.history = world.history;
    this.figures = world.figures;
    this.codec = world.codec;
    this.seed = world.seed;
    this.problems = world.problems;
    this.world = world;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String subject() {
    return subject;
  }

  /** The device's wall clock: the simulation's, skewed. */
  long wall() {
    return loop.now() + skewMillis;
  }

  /** Opens the store and starts the machine (an app start). */
  void start() {
    incarnation++;
    store =
        SqliteStore.open(
            file,
            codec,
            this::wall,
            false,
            HybridClock.DEFAULT_MAX_OFFSET,
            () -> name + "." + (++replicaIds) + "." + Long.toHexString(seed));
    machine =
        new SyncMachine(
            store,
            new PushLimits(codec),
            new SyncMachine.Settings(
                false, spaces, batchSize, Duration.ofMillis(100), Duration.ofSeconds(2)),
            new java.util.Random(seed * 31 + name.hashCode() * 17L + incarnation),
            Instant.ofEpochMilli(wall()));
    alive = true;
    paused = false;
    String opened = store.replica().replicaId();
    if (replicaId != null && !replicaId.equals(opened)) {
      // The store re-keyed at open: its install fingerprint saw a restored or copied file.
      figures.count("client.rekey-at-open");
    }
    replicaId = opened;
    step(new Event.Start());
  }

  /** The process dies: memory is lost, its socket resets, the file stays. */
  void crash() {
    if (!alive) {
      return;
    }
    figures.count("client.crash");
    alive = false;
    if (link != null) {
      net.cut(link);
      link = null;
    }
    timers.clear();
    syncStarts.clear();
    store.close();
    store = null;
    machine = null;
  }

  /** Closes the client as an app does (shutdown, then the store). */
  void shutdown() {
    if (alive) {
      step(new Event.Shutdown());
      crash();
    }
  }

  /** Steps the machine with {@code event} and carries out its actions, as the engine does. */
  void step(Event event) {
    Deque<Event> pending = new ArrayDeque<>(List.of(event));
    while (!pending.isEmpty() && alive) {
      Event next = pending.poll();
      List<Action> out = new ArrayList<>();
      try {
        machine.step(Instant.ofEpochMilli(wall()), next, out);
      } catch (RuntimeException e) {
        problems.add(name + ": machine step " + next + " threw " + e);
        out.forEach(a -> act(a, pending));
        pending.add(new Event.StepFailed(e.toString()));
        continue;
      }
      out.forEach(a -> act(a, pending));
    }
    if (alive && !store.replica().replicaId().equals(replicaId)) {
      figures.count("client.rekey");
      history.note(loop.tick(), name + " re-keyed " + replicaId + " -> " + store.replica());
      replicaId = store.replica().replicaId();
    }
  }

  private void act(Action action, Deque<Event> pending) {
    if (action instanceof Action.FetchToken fetch) {
      pending.add(new Event.TokenSupplied(fetch.use(), token()));
    } else if (action instanceof Action.Open open) {
      link = net.connect(this, open.token());
      figures.count("connects");
    } else if (action instanceof Action.Send send) {
      if (link != null) {
        net.up(link, codec.encode(send.message()));
      }
    } else if (action instanceof Action.SendEncoded send) {
      if (link != null) {
        net.up(link, codec.encode(send.message()));
      }
    } else if (action instanceof Action.Close) {
      if (link != null) {
        net.closeByDevice(link);
        link = null;
      }
    } else if (action instanceof Action.Schedule schedule) {
      long id = ++timerIds;
      long life = incarnation;
      timers.put(schedule.timer(), id);
      loop.after(
          schedule.delayMillis(),
          () -> {
            if (alive
                && life == incarnation
                && Long.valueOf(id).equals(timers.get(schedule.timer()))) {
              timers.remove(schedule.timer());
              step(new Event.TimerFired(schedule.timer()));
            }
          });
    } else if (action instanceof Action.Cancel cancel) {
      timers.remove(cancel.timer());
    } else if (action instanceof Action.DocumentsChanged changed) {
      for (DocumentKey key : changed.keys()) {
        if (!granted.contains(key.space())) {
          foreign.add(key.toString());
        }
      }
    } else if (action instanceof Action.Rejected rejected) {
      figures.count("client.rejected");
      problems.add(name + ": honest changes rejected: " + rejected.rejected());
    } else if (action instanceof Action.StatusChanged changed) {
      sample(changed.status());
    } else if (action instanceof Action.SyncDone done) {
      Long start = syncStarts.remove(done.waiter());
      if (start != null) {
        history.add(new StormHistory.Acked(name, start, loop.tick()));
      }
    } else if (action instanceof Action.SyncFailed failed) {
      syncStarts.remove(failed.waiter());
      figures.count("client.sync-failed");
    } else {
      // A new kind of action the device does not carry out would silently starve the simulation.
      throw new IllegalStateException(name + ": unhandled action " + action);
    }
  }

  /** The token supplier: a fresh token of the subject, unless a stale one is planted. */
  private String token() {
    figures.count("tokens.issued");
    String token = SimServer.token(subject, loop.now() + tokenLifetimeMillis);
    if (firstToken == null) {
      firstToken = token;
    }
    if (List.of(world.plant.split("\\+")).contains("stale-token") && name.equals("d0")) {
      if (!token.equals(firstToken)) {
        figures.count("planted");
      }
      return firstToken;
    }
    return token;
  }

  /** Records a status sample for the liveness checker. */
  void sample(SyncStatus status) {
    history.sample(
        new StormHistory.Sample(
            name,
            loop.tick(),
            status.connection().name(),
            status.pendingChanges(),
            status.rejectedChanges(),
            String.valueOf(status.lastAckAt())));
  }

  /** Samples the current status (the storm samples every client periodically). */
  void sample() {
    if (alive) {
      sample(machine.status());
    } else {
      history.sample(new StormHistory.Sample(name, loop.tick(), "CLOSED", 0, 0, null));
    }
  }

  SyncStatus status() {
    return machine.status();
  }

  /** The app calls {@code syncNow}: its success is evidence that earlier writes were acked. */
  void syncNow(Duration timeout) {
    long waiter = ++waiters;
    syncStarts.put(waiter, loop.tick());
    step(new Event.SyncRequested(waiter, store.replica().lastIssuedSeq(), timeout));
  }

  void pause() {
    paused = true;
    step(new Event.Pause());
  }

  void resume() {
    paused = false;
    step(new Event.Resume());
  }

  // ---- the network's callbacks: only the current session's reach the machine ---------------

  @Override
  public void connected(SimNet.Link l) {
    if (alive && l == link) {
      step(new Event.Connected());
    }
  }

  @Override
  public void received(SimNet.Link l, String text) {
    if (!alive || l != link) {
      return;
    }
    figures.count("frames.down");
    Event event;
    try {
      event = new Event.Received(codec.decode(text));
    } catch (DecodeException e) {
      event = new Event.Malformed(e.getMessage());
    }
    if (event instanceof Event.Received r && r.message() instanceof Message.Error error) {
      figures.count("client.error." + error.code());
    }
    step(event);
  }

  @Override
  public void ended(SimNet.Link l, boolean clean) {
    if (!alive || l != link) {
      return;
    }
    link = null;
    step(
        clean
            ? new Event.Closed(l.closeCode, l.closeCode == 1001 ? "going away" : "closed")
            : new Event.Failed(0, "connection reset"));
  }
}
