package dev.converge.sdk.internal.sync;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.internal.store.PushLimits;
import dev.converge.sdk.internal.store.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Drives a {@link SyncMachine} by hand, deterministically: virtual time, timers kept in a table and
 * fired only when the test advances the time, the token supplier answered at once (as the engine
 * does), and every action recorded. The store is a real SQLite file; nothing else does I/O.
 */
final class MachineHarness implements AutoCloseable {

  static final String ALICE = "user:alice";
  static final String TEAM = "team:1";
  static final String SERVER_ID = "server-1";
  static final long HOUR = 3_600_000;

  final SqliteStore store;
  final SyncMachine machine;
  final List<Action> log = new ArrayList<>();
  final Map<Timer, Long> timers = new HashMap<>();
  private final long start = 1_764_000_000_000L;
  long now = start;
  String token = "t";
  boolean tokenFails;

  MachineHarness(Path dir, int batchSize, Duration minBackoff, Duration maxBackoff, long seed) {
    ProtocolCodec codec = new ProtocolCodec();
    this.store = SqliteStore.open(dir.resolve("machine.db"), codec, () -> now, false);
    this.machine =
        new SyncMachine(
            store,
            new PushLimits(codec),
            new SyncMachine.Settings(
                false, List.of(ALICE, TEAM), batchSize, minBackoff, maxBackoff),
            new Random(seed),
            Instant.ofEpochMilli(now));
  }

  MachineHarness(Path dir) {
    this(dir, 100, Duration.ofMillis(100), Duration.ofSeconds(10), 42);
  }

  /**
   * Turns the outbox's joining of unsent rows off (ClientOptions#coalesceOutbox(false)): every
   * local change is pushed as a changeset of its own, for tests about per-change handling.
   */
  MachineHarness perChange() {
    store.coalesceOutbox(false);
    return this;
  }

  /** Steps one event; returns the actions of this step (token answers included). */
  List<Action> step(Event event) {
    List<Action> all = new ArrayList<>();
    List<Event> pending = new ArrayList<>(List.of(event));
    while (!pending.isEmpty()) {
      Event next = pending.remove(0);
      List<Action> actions = new ArrayList<>();
      machine.step(Instant.ofEpochMilli(now), next, actions);
      for (Action action : actions) {
        if (action instanceof Action.Schedule schedule) {
          timers.put(schedule.timer(), now + schedule.delayMillis());
        } else if (action instanceof Action.Cancel cancel) {
          timers.remove(cancel.timer());
        } else if (action instanceof Action.FetchToken fetch) {
          pending.add(
              tokenFails
                  ? new Event.TokenUnavailable(fetch.use(), "supplier down")
                  : new Event.TokenSupplied(fetch.use(), token));
        }
      }
      all.addAll(actions);
    }
    log.addAll(all);
    return all;
  }

  List<Action> receive(Message message) {
    return step(new Event.Received(message));
  }

  /** Moves the time on by {@code millis}, firing every timer due meanwhile, in time order. */
  List<Action> advance(long millis) {
    long until = now + millis;
    List<Action> actions = new ArrayList<>();
    while (true) {
      Optional<Map.Entry<Timer, Long>> due =
          timers.entrySet().stream()
              .filter(e -> e.getValue() <= until)
              .min(Comparator.comparingLong(Map.Entry::getValue));
      if (due.isEmpty()) {
        break;
      }
      now = Math.max(now, due.get().getValue());
      timers.remove(due.get().getKey());
      actions.addAll(step(new Event.TimerFired(due.get().getKey())));
    }
    now = until;
    return actions;
  }

  /** Fires {@code timer} now (it must be set); returns the step's actions. */
  List<Action> fire(Timer timer) {
    Long due = timers.remove(timer);
    if (due == null) {
      throw new AssertionError("timer " + timer + " is not set; set: " + timers.keySet());
    }
    now = Math.max(now, due);
    return step(new Event.TimerFired(timer));
  }

  /** Connects and welcomes with every space granted; returns the welcome step's actions. */
  List<Action> connect(String... granted) {
    step(new Event.Start());
    return welcome(granted);
  }

  /** Opens the session the machine asked for and welcomes it. */
  List<Action> welcome(String... granted) {
    step(new Event.Connected());
    List<MessageParts.SpaceHead> heads = new ArrayList<>();
    for (String space : granted.length == 0 ? new String[] {ALICE, TEAM} : granted) {
      heads.add(new MessageParts.SpaceHead(space, store.cursor(space)));
    }
    return receive(new Message.Welcome(SERVER_ID, 2, now + HOUR, heads));
  }

  /** Writes a register locally (as the client's write path does); returns its seq. */
  long write(String space, String docId, String value) {
    return store
        .writeLocal(
            new DocumentKey(space, "profiles", docId),
            (doc, replica, hlc) ->
                doc.writeRegister(replica, List.of("name"), TextNode.valueOf(value), hlc))
        .orElseThrow()
        .seq();
  }

  /** A remote change item of another replica. */
  static MessageParts.ChangeItem remote(long serverSeq, String docId, String value) {
    Document delta =
        new Document()
            .writeRegister(
                "other",
                List.of("name"),
                TextNode.valueOf(value),
                new dev.converge.core.crdt.Hlc(1, 0));
    return new MessageParts.ChangeItem(
        serverSeq, "profiles", docId, delta, new MessageParts.Origin("other", serverSeq));
  }

  String replicaId() {
    return store.replica().replicaId();
  }

  /** The messages sent in {@code actions}, of type {@code type}. */
  static <M extends Message> List<M> sent(List<Action> actions, Class<M> type) {
    List<M> result = new ArrayList<>();
    for (Action action : actions) {
      Message message = message(action);
      if (type.isInstance(message)) {
        result.add(type.cast(message));
      }
    }
    return result;
  }

  /**
   * The message a send action puts on the wire (a pre-encoded one decoded from its frame, as the
   * server reads it), or null for another action.
   */
  static Message message(Action action) {
    if (action instanceof Action.Send send) {
      return send.message();
    }
    if (action instanceof Action.SendEncoded send) {
      return WIRE.decode(WIRE.encode(send.message()));
    }
    return null;
  }

  private static final ProtocolCodec WIRE = new ProtocolCodec();

  /** The actions of {@code type} in {@code actions}. */
  static <A extends Action> List<A> of(List<Action> actions, Class<A> type) {
    return actions.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The seqs of a push. */
  static List<Long> seqs(Message.Push push) {
    return push.changesets().stream().map(c -> c.seq()).toList();
  }

  @Override
  public void close() {
    store.close();
  }
}
