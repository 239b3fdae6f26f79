package dev.converge.sdk.internal.sync;

import static dev.converge.sdk.internal.sync.MachineHarness.ALICE;
import static dev.converge.sdk.internal.sync.MachineHarness.TEAM;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.crdt.RegisterValue;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random, seeded runs of the state machine against a server that answers anything the protocol
 * allows, in any order, checking after every step what must always hold: frames only on an open
 * session, pushes only once welcomed and one at a time with contiguous seqs, one session at a time,
 * no negative timer, and no step that throws; and the stable points reported (hello, push, sync)
 * never go down per replica id and space, never exceed the cursor in hello, and never pass the
 * cursor at which a changeset pushed afterwards was written. A failure prints its seed; replay it
 * with {@code -Dsim.seed=<seed>}.
 */
class SyncMachineSimulationTest {

  static final int RUNS = Integer.getInteger("sim.runs", 12);
  static final int EVENTS = 150;

  @TempDir Path dir;

  @Test
  void randomServerBehaviour_neverBreaksTheSessionInvariants() throws Exception {
    Long fixed = Long.getLong("sim.seed");
    long base = fixed != null ? fixed : System.nanoTime();
    int[] pushes = {0};
    for (int run = 0; run < (fixed != null ? 1 : RUNS); run++) {
      long seed = base + run;
      Path runDir = Files.createDirectories(dir.resolve("run" + run));
      try (MachineHarness h =
          new MachineHarness(runDir, 3, Duration.ofMillis(50), Duration.ofSeconds(2), seed)) {
        pushes[0] += new Run(h, new Random(seed)).play();
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "simulation seed " + seed + " failed (replay with -Dsim.seed=" + seed + ")", e);
      }
    }
    assertThat(pushes[0]).as("the runs pushed at all").isPositive();
  }

  /** One run: a random server and app, and the invariants checked on every action. */
  static final class Run {
    final MachineHarness h;
    final Random random;
    boolean session;
    boolean connected;
    boolean welcomed;
    long pushedUpTo = -1;
    long syncRef;
    long waiter;
    int writes;
    int pushes;

    /** The space and the cursor of its space when each written value was written. */
    final Map<String, String> spaceOf = new HashMap<>();

    final Map<String, Long> cursorAtWrite = new HashMap<>();

    /** The greatest stable point reported, per "replica|space". */
    final Map<String, Long> reported = new HashMap<>();

    /**
     * The same, forgotten for a space when the server forgets it too: when a snapshot lowers the
     * cursor (the server's log was reset: what was reported in the old numbering says nothing of
     * the new one, and the server's record is restored with the log), and when the space is revoked
     * (the replica leaves its live set; a write made meanwhile, at cursor 0, holds its next report
     * back).
     */
    final Map<String, Long> reportedSinceReset = new HashMap<>();

    Run(MachineHarness h, Random random) {
      this.h = h;
      this.random = random;
    }

    /** Plays the run; returns how many pushes it sent. */
    int play() {
      observe(h.step(new Event.Start()));
      for (int i = 0; i < EVENTS; i++) {
        Event event = next();
        if (event instanceof Event.Closed || event instanceof Event.Failed) {
          session = false;
          connected = false;
          welcomed = false;
          pushedUpTo = -1;
        } else if (event instanceof Event.Connected) {
          connected = true;
        } else if (event instanceof Event.Received received) {
          Message m = received.message();
          if (m instanceof Message.Welcome) {
            welcomed = true;
          } else if (m instanceof Message.Error || m instanceof Message.Ack) {
            pushedUpTo = -1;
          }
        }
        long cursorBefore = -1;
        if (event instanceof Event.Received r && r.message() instanceof Message.Snapshot snap) {
          cursorBefore = h.store.cursor(snap.space());
        }
        observe(h.step(event));
        if (event instanceof Event.Received r
            && r.message() instanceof Message.Snapshot snap
            && !snap.more()) {
          // The store clamps the space's unacked rows to the head; so does the model.
          for (Map.Entry<String, Long> write : cursorAtWrite.entrySet()) {
            if (spaceOf.get(write.getKey()).equals(snap.space())) {
              write.setValue(Math.min(write.getValue(), snap.head()));
            }
          }
          if (snap.head() < cursorBefore) {
            forget(snap.space());
          }
        }
        if (event instanceof Event.Received r && r.message() instanceof Message.Revoked revoked) {
          forget(revoked.space());
        }
        if (event instanceof Event.Received r && r.message() instanceof Message.Welcome welcome) {
          for (String space : List.of(ALICE, TEAM)) {
            if (welcome.spaces().stream().noneMatch(head -> head.space().equals(space))) {
              forget(space);
            }
          }
        }
        if (random.nextInt(6) == 0) {
          observe(h.advance(random.nextInt(3_000)));
        }
      }
      return pushes;
    }

    private Event next() {
      int pick = random.nextInt(10);
      if (pick == 0) {
        String space = random.nextBoolean() ? ALICE : TEAM;
        String value = "v" + writes++;
        spaceOf.put(value, space);
        cursorAtWrite.put(value, h.store.cursor(space));
        h.write(space, "d" + random.nextInt(3), value);
        return new Event.LocalWrite();
      }
      if (pick == 1) {
        return new Event.SyncRequested(
            ++waiter, h.store.replica().lastIssuedSeq(), Duration.ofSeconds(2));
      }
      if (pick == 2 && random.nextInt(4) == 0) {
        return random.nextBoolean() ? new Event.Pause() : new Event.Resume();
      }
      if (!session) {
        return new Event.LocalWrite();
      }
      if (!connected) {
        return random.nextInt(4) == 0
            ? new Event.Failed(random.nextBoolean() ? 0 : 401, "refused")
            : new Event.Connected();
      }
      if (!welcomed && random.nextInt(4) != 0) {
        return new Event.Received(
            new Message.Welcome(
                "s",
                2,
                h.now + random.nextInt(200_000),
                random.nextInt(5) == 0
                    ? List.of(new MessageParts.SpaceHead(ALICE, h.store.cursor(ALICE)))
                    : List.of(
                        new MessageParts.SpaceHead(ALICE, h.store.cursor(ALICE)),
                        new MessageParts.SpaceHead(TEAM, h.store.cursor(TEAM)))));
      }
      return new Event.Received(serverMessage());
    }

    private Message serverMessage() {
      String space = random.nextBoolean() ? ALICE : TEAM;
      long cursor = h.store.cursor(space);
      switch (random.nextInt(9)) {
        case 0, 1:
          long upTo = pushedUpTo > 0 ? pushedUpTo : h.store.firstPendingSeq();
          return new Message.Ack(h.replicaId(), Math.max(0, upTo), List.of());
        case 2:
          ErrorCode code = ErrorCode.values()[random.nextInt(ErrorCode.values().length)];
          Long ref = random.nextBoolean() && pushedUpTo > 0 ? pushedUpTo : null;
          return new Message.Error(
              code.wire(), "injected", ref, random.nextBoolean() ? null : 500L);
        case 3, 4:
          long to = cursor + 1 + random.nextInt(2);
          List<MessageParts.ChangeItem> items = new ArrayList<>();
          for (long s = cursor + 1; s <= to; s++) {
            items.add(MachineHarness.remote(s, "d" + random.nextInt(3), "r" + s));
          }
          return new Message.Changes(space, cursor, to, items, false);
        case 5:
          return new Message.Synced(
              1 + random.nextInt((int) Math.max(1, syncRef + 1)),
              List.of(new MessageParts.SpaceHead(space, cursor + random.nextInt(2))));
        case 6:
          // Now and then below the cursor: the server's log was reset.
          long head =
              random.nextInt(8) == 0
                  ? Math.max(0, cursor - 1 - random.nextInt(3))
                  : cursor + random.nextInt(3);
          return new Message.Snapshot(space, head, List.of(), random.nextBoolean());
        case 7:
          return random.nextInt(4) == 0
              ? new Message.Revoked(TEAM)
              : new Message.Authed(h.now + random.nextInt(100_000));
        default:
          CloseCode close = CloseCode.values()[random.nextInt(CloseCode.values().length)];
          session = false;
          connected = false;
          welcomed = false;
          pushedUpTo = -1;
          // Delivered as the session's end rather than a message.
          h.step(new Event.Closed(close.code(), close.reason())).forEach(this::check);
          return new Message.Authed(0);
      }
    }

    private void forget(String space) {
      reportedSinceReset.keySet().removeIf(k -> k.endsWith("|" + space));
    }

    private void reportedStable(String replica, String space, long stable) {
      String key = replica + "|" + space;
      assertThat(stable)
          .as("stable point of %s reported lower than before", key)
          .isGreaterThanOrEqualTo(reported.getOrDefault(key, 0L));
      reported.put(key, stable);
      reportedSinceReset.merge(key, stable, Math::max);
    }

    private void observe(List<Action> actions) {
      actions.forEach(this::check);
    }

    private void check(Action action) {
      if (action instanceof Action.Open) {
        assertThat(session).as("one session at a time").isFalse();
        session = true;
        connected = false;
        welcomed = false;
        pushedUpTo = -1;
      } else if (action instanceof Action.Close) {
        session = false;
        connected = false;
        welcomed = false;
        pushedUpTo = -1;
      } else if (MachineHarness.message(action) != null) {
        assertThat(session && connected).as("%s sent without a session", action).isTrue();
        Message m = MachineHarness.message(action);
        if (m instanceof Message.Hello hello) {
          for (MessageParts.Subscription sub : hello.subscriptions()) {
            if (sub.stable() != null) {
              assertThat(sub.stable())
                  .as("stable point above the cursor")
                  .isLessThanOrEqualTo(sub.since());
              reportedStable(hello.replicaId(), sub.space(), sub.stable());
            }
          }
        } else if (m instanceof Message.Sync sync) {
          sync.stable().forEach(p -> reportedStable(h.replicaId(), p.space(), p.stable()));
        }
        if (m instanceof Message.Push push) {
          String replica = push.changesets().get(0).replicaId();
          push.stable().forEach(p -> reportedStable(replica, p.space(), p.stable()));
          for (Changeset c : push.changesets()) {
            String value =
                c.delta()
                    .get(List.of("name"), RegisterValue.class)
                    .flatMap(RegisterValue::value)
                    .map(JsonNode::asText)
                    .orElse(null);
            if (value != null) {
              assertThat(cursorAtWrite.get(value))
                  .as(
                      "changeset %d (%s) was written at a cursor below a stable point its replica"
                          + " reported",
                      c.seq(), value)
                  .isGreaterThanOrEqualTo(
                      reportedSinceReset.getOrDefault(replica + "|" + c.space(), 0L));
            }
          }
          assertThat(welcomed).as("push before the welcome").isTrue();
          assertThat(pushedUpTo).as("a second push while one is in flight").isEqualTo(-1);
          List<Changeset> cs = push.changesets();
          for (int i = 1; i < cs.size(); i++) {
            // Contiguous seqs: each changeset (a range or one seq) starts after the last one ends.
            assertThat(cs.get(i).seq()).isEqualTo(cs.get(i - 1).toSeq() + 1);
          }
          assertThat(cs.get(0).replicaId()).isEqualTo(h.replicaId());
          pushedUpTo = cs.get(cs.size() - 1).toSeq();
          pushes++;
        } else if (m instanceof Message.Sync sync) {
          assertThat(welcomed).as("sync before the welcome").isTrue();
          syncRef = Math.max(syncRef, sync.ref());
        }
      } else if (action instanceof Action.Schedule schedule) {
        assertThat(schedule.delayMillis()).isNotNegative();
      }
    }
  }
}
