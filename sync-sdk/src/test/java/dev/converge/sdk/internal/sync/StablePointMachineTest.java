package dev.converge.sdk.internal.sync;

import static dev.converge.sdk.internal.sync.MachineHarness.ALICE;
import static dev.converge.sdk.internal.sync.MachineHarness.TEAM;
import static dev.converge.sdk.internal.sync.MachineHarness.remote;
import static dev.converge.sdk.internal.sync.MachineHarness.sent;
import static dev.converge.sdk.internal.sync.MachineHarness.seqs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the state machine reports the replica's stable points (docs/protocol-2.md, "Stable points"):
 * in every {@code hello}, with the next push when they rose, and in a {@code sync} when they rose
 * with nothing to push; never lower under one replica id.
 */
class StablePointMachineTest {

  static final long DELAY = SyncMachine.STABLE_REPORT_DELAY.toMillis();

  @TempDir Path dir;
  MachineHarness h;

  @BeforeEach
  void open() {
    h = new MachineHarness(dir);
  }

  @AfterEach
  void close() {
    h.close();
  }

  /** The server sends the changes of {@code space} from its cursor up to {@code to}. */
  List<Action> changes(String space, long to) {
    long from = h.store.cursor(space);
    List<MessageParts.ChangeItem> items = new ArrayList<>();
    for (long s = from + 1; s <= to; s++) {
      items.add(remote(s, "d" + s, "r" + s));
    }
    return h.receive(new Message.Changes(space, from, to, items, false));
  }

  Message.Hello hello() {
    h.step(new Event.Start());
    return sent(h.step(new Event.Connected()), Message.Hello.class).get(0);
  }

  static List<MessageParts.SpaceStable> stableOf(List<Action> actions) {
    List<MessageParts.SpaceStable> points = new ArrayList<>();
    sent(actions, Message.Push.class).forEach(p -> points.addAll(p.stable()));
    sent(actions, Message.Sync.class).forEach(s -> points.addAll(s.stable()));
    return points;
  }

  @Test
  void hello_carriesEachSpacesCursor_andTheLesserOfItAndItsOldestUnackedWrite() {
    h.store.applyChanges(ALICE, 10, List.of());
    h.write(ALICE, "me", "a");
    h.store.applyChanges(ALICE, 20, List.of());
    h.store.applyChanges(TEAM, 3, List.of());

    assertThat(hello().subscriptions())
        .containsExactly(
            new MessageParts.Subscription(ALICE, 20, 10L),
            new MessageParts.Subscription(TEAM, 3, 3L));
  }

  @Test
  void aPush_carriesThePointsThatRoseSinceTheSessionToldThem_once() {
    h.write(ALICE, "me", "a");
    Message.Push first = sent(h.connect(), Message.Push.class).get(0);
    assertThat(first.stable()).as("nothing rose since the hello").isEmpty();

    changes(ALICE, 5);
    assertThat(h.timers)
        .as("the unacked write holds ALICE at 0")
        .doesNotContainKey(new Timer.StableReport());
    h.write(ALICE, "me", "b");
    h.step(new Event.LocalWrite());

    List<Action> ack = h.receive(new Message.Ack(h.replicaId(), 1, List.of()));
    Message.Push second = sent(ack, Message.Push.class).get(0);
    assertThat(seqs(second)).containsExactly(2L);
    assertThat(second.stable()).containsExactly(new MessageParts.SpaceStable(ALICE, 5));
    assertThat(h.timers).doesNotContainKey(new Timer.StableReport());

    List<Action> secondAck = h.receive(new Message.Ack(h.replicaId(), 2, List.of()));
    assertThat(stableOf(secondAck)).isEmpty();
    assertThat(h.timers).as("5 was told already").doesNotContainKey(new Timer.StableReport());
  }

  @Test
  void aPointThatRisesWithNothingToPush_goesOutInASync_atMostOncePerDelay_withTheLatestPoint() {
    h.connect();
    changes(ALICE, 3);
    assertThat(h.timers).containsEntry(new Timer.StableReport(), h.now + DELAY);
    h.advance(1_000);
    changes(ALICE, 7);
    h.advance(1_000);
    changes(TEAM, 2);
    changes(ALICE, 12);

    List<Action> report = h.advance(DELAY);
    List<Message.Sync> syncs = sent(report, Message.Sync.class);
    assertThat(syncs).hasSize(1);
    assertThat(syncs.get(0).stable())
        .containsExactly(
            new MessageParts.SpaceStable(ALICE, 12), new MessageParts.SpaceStable(TEAM, 2));
    assertThat(sent(h.advance(10 * DELAY), Message.Sync.class)).as("nothing rose since").isEmpty();

    // Its answer completes no syncNow, and a syncNow asks with another ref.
    h.step(new Event.SyncRequested(1, 0, Duration.ofSeconds(30)));
    Message.Sync asked = sent(h.log, Message.Sync.class).get(1);
    assertThat(asked.ref()).isNotEqualTo(syncs.get(0).ref());
    List<Action> answer =
        h.receive(
            new Message.Synced(syncs.get(0).ref(), List.of(new MessageParts.SpaceHead(ALICE, 12))));
    assertThat(MachineHarness.of(answer, Action.SyncDone.class)).isEmpty();
    assertThat(
            MachineHarness.of(
                h.receive(
                    new Message.Synced(
                        asked.ref(),
                        List.of(
                            new MessageParts.SpaceHead(ALICE, 12),
                            new MessageParts.SpaceHead(TEAM, 2)))),
                Action.SyncDone.class))
        .hasSize(1);
  }

  @Test
  void aSnapshotRaisesThePoint_reportedOnceItEnds() {
    h.connect();
    h.receive(new Message.Snapshot(ALICE, 40, List.of(), true));
    assertThat(h.timers).doesNotContainKey(new Timer.StableReport());
    h.receive(new Message.Snapshot(ALICE, 40, List.of(), false));
    assertThat(stableOf(h.advance(DELAY))).containsExactly(new MessageParts.SpaceStable(ALICE, 40));
  }

  @Test
  void aPushThatFailsAsAWhole_tellsItsPointsAgainOnTheRetry() {
    h.write(ALICE, "me", "a");
    h.connect();
    changes(ALICE, 4);
    h.write(ALICE, "me", "b");
    Message.Push carrying =
        sent(h.receive(new Message.Ack(h.replicaId(), 1, List.of())), Message.Push.class).get(0);
    assertThat(carrying.stable()).containsExactly(new MessageParts.SpaceStable(ALICE, 4));

    h.receive(new Message.Error(ErrorCode.INTERNAL, "database down", null));
    Message.Push retried = sent(h.fire(new Timer.PushRetry()), Message.Push.class).get(0);
    assertThat(seqs(retried)).containsExactly(2L);
    assertThat(retried.stable()).containsExactly(new MessageParts.SpaceStable(ALICE, 4));
  }

  @Test
  void aNewSession_startsFromItsHello_andTheReportTimerDiesWithTheOldOne() {
    h.connect();
    changes(ALICE, 6);
    assertThat(h.timers).containsKey(new Timer.StableReport());
    h.step(new Event.Closed(1001, "going away"));
    assertThat(h.timers).doesNotContainKey(new Timer.StableReport());

    h.advance(60_000);
    Message.Hello hello = sent(h.step(new Event.Connected()), Message.Hello.class).get(0);
    assertThat(hello.subscriptions()).contains(new MessageParts.Subscription(ALICE, 6, 6L));
    h.welcome();
    assertThat(h.timers).doesNotContainKey(new Timer.StableReport());
  }

  @Test
  void restart_neverReportsLess() {
    h.write(ALICE, "me", "a");
    h.store.applyChanges(ALICE, 9, List.of());
    assertThat(hello().subscriptions()).contains(new MessageParts.Subscription(ALICE, 9, 0L));
    h.welcome();
    changes(ALICE, 15);
    h.receive(new Message.Ack(h.replicaId(), 1, List.of()));
    assertThat(stableOf(h.advance(DELAY))).containsExactly(new MessageParts.SpaceStable(ALICE, 15));
    h.close();

    h = new MachineHarness(dir);
    assertThat(hello().subscriptions()).contains(new MessageParts.Subscription(ALICE, 15, 15L));
  }

  @Test
  void snapshotBelowTheCursor_reportsNothingForTheSpace_untilItsPointClimbsBack() {
    h.connect();
    changes(ALICE, 10);
    assertThat(stableOf(h.advance(DELAY))).containsExactly(new MessageParts.SpaceStable(ALICE, 10));
    h.write(ALICE, "me", "a");
    h.step(new Event.LocalWrite());

    // The server's log was reset below what this replica saw.
    h.receive(new Message.Snapshot(ALICE, 4, List.of(), false));
    assertThat(h.store.cursor(ALICE)).isEqualTo(4);
    h.receive(new Message.Ack(h.replicaId(), 1, List.of()));
    changes(ALICE, 8);
    assertThat(stableOf(h.advance(DELAY))).isEmpty();

    h.step(new Event.Closed(1001, "going away"));
    h.advance(60_000);
    Message.Hello hello = sent(h.step(new Event.Connected()), Message.Hello.class).get(0);
    assertThat(hello.subscriptions())
        .as("8 would be lower than the 10 reported")
        .contains(new MessageParts.Subscription(ALICE, 8));
    h.welcome();
    changes(ALICE, 11);
    assertThat(stableOf(h.advance(DELAY))).containsExactly(new MessageParts.SpaceStable(ALICE, 11));
  }

  @Test
  void rekey_reportsAfreshUnderTheNewId() {
    h.connect();
    changes(ALICE, 10);
    h.advance(DELAY);
    h.write(ALICE, "me", "a");
    h.step(new Event.LocalWrite());
    h.receive(new Message.Snapshot(ALICE, 4, List.of(), false));
    String old = h.replicaId();

    h.receive(new Message.Error(ErrorCode.SEQ_GAP, "gap", null));
    assertThat(h.replicaId()).isNotEqualTo(old);
    Message.Hello hello = sent(h.step(new Event.Connected()), Message.Hello.class).get(0);
    assertThat(hello.replicaId()).isEqualTo(h.replicaId());
    assertThat(hello.subscriptions())
        .as("the new id never reported: its point may be below the old id's 10")
        .contains(new MessageParts.Subscription(ALICE, 4, 4L));
  }

  @Test
  void
      revokedSpace_isPurgedAndNoLongerReported_andReportsNothingWhenGrantedAgainUntilItCatchesUp() {
    h.connect();
    changes(TEAM, 30);
    assertThat(stableOf(h.advance(DELAY))).containsExactly(new MessageParts.SpaceStable(TEAM, 30));

    h.receive(new Message.Revoked(TEAM));
    assertThat(h.store.cursor(TEAM)).isZero();
    changes(ALICE, 2);
    assertThat(stableOf(h.advance(DELAY))).containsExactly(new MessageParts.SpaceStable(ALICE, 2));

    h.step(new Event.Closed(1001, "going away"));
    h.advance(60_000);
    Message.Hello hello = sent(h.step(new Event.Connected()), Message.Hello.class).get(0);
    assertThat(hello.subscriptions())
        .as("the same replica id told 30 before the purge")
        .containsExactly(
            new MessageParts.Subscription(ALICE, 2, 2L), new MessageParts.Subscription(TEAM, 0));
    h.welcome();
    h.receive(new Message.Snapshot(TEAM, 33, List.of(), false));
    assertThat(stableOf(h.advance(DELAY))).containsExactly(new MessageParts.SpaceStable(TEAM, 33));
  }

  @Test
  void spacesTheServerDidNotGrant_areNotReported() {
    h.connect(ALICE);
    h.receive(new Message.Snapshot(TEAM, 5, List.of(), false));
    changes(ALICE, 1);
    assertThat(stableOf(h.advance(DELAY))).containsExactly(new MessageParts.SpaceStable(ALICE, 1));
  }
}
