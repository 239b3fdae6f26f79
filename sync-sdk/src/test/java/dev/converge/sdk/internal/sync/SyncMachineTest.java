package dev.converge.sdk.internal.sync;

import static dev.converge.sdk.internal.sync.MachineHarness.ALICE;
import static dev.converge.sdk.internal.sync.MachineHarness.TEAM;
import static dev.converge.sdk.internal.sync.MachineHarness.of;
import static dev.converge.sdk.internal.sync.MachineHarness.remote;
import static dev.converge.sdk.internal.sync.MachineHarness.sent;
import static dev.converge.sdk.internal.sync.MachineHarness.seqs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.ChangeSource;
import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.SyncException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The replicator's protocol logic, stepped by hand: no network, no threads, no sleeps; time moves
 * only when a test advances it. Each local change is pushed on its own here ({@link
 * MachineHarness#perChange()}), so seqs, refusals and batch halving are per change; the joining of
 * unsent changes into seq ranges is {@link SeqRangePushTest}'s.
 */
class SyncMachineTest {

  @TempDir Path dir;
  MachineHarness h;

  @BeforeEach
  void open() {
    h = new MachineHarness(dir).perChange();
  }

  @AfterEach
  void close() {
    h.close();
  }

  static Stream<ErrorCode> codesHandledAs(ErrorCode.Handling handling) {
    return Arrays.stream(ErrorCode.values()).filter(c -> c.handling() == handling);
  }

  static Stream<ErrorCode> rekeyCodes() {
    return codesHandledAs(ErrorCode.Handling.REKEY);
  }

  static Stream<ErrorCode> tokenCodes() {
    return codesHandledAs(ErrorCode.Handling.NEW_TOKEN);
  }

  static Stream<ErrorCode> consumingCodes() {
    return codesHandledAs(ErrorCode.Handling.CONSUMED);
  }

  @Test
  void startHelloWelcome_pushesTheOutbox_andTheAckEmptiesIt() {
    h.write(ALICE, "me", "a");
    h.write(ALICE, "me", "b");

    List<Action> start = h.step(new Event.Start());
    // Connecting leaves DISCONNECTED: the status says so at once.
    assertThat(of(start, Action.StatusChanged.class))
        .singleElement()
        .satisfies(c -> assertThat(c.status().connection()).isEqualTo(ConnectionState.OFFLINE));
    assertThat(start.stream().filter(a -> !(a instanceof Action.StatusChanged)))
        .containsExactly(
            new Action.FetchToken(Action.TokenUse.CONNECT),
            new Action.Open("t"),
            new Action.Schedule(new Timer.Handshake(), SyncMachine.HANDSHAKE_TIMEOUT.toMillis()));
    Message.Hello hello = sent(h.step(new Event.Connected()), Message.Hello.class).get(0);
    assertThat(hello.protocol()).isEqualTo(Message.PROTOCOL_VERSION);
    assertThat(hello.replicaId()).isEqualTo(h.replicaId());
    assertThat(hello.subscriptions())
        .containsExactly(
            new MessageParts.Subscription(ALICE, 0, 0L),
            new MessageParts.Subscription(TEAM, 0, 0L));
    assertThat(hello.predecessor()).isNull();

    List<Action> welcome =
        h.receive(
            new Message.Welcome(
                "s",
                2,
                h.now + MachineHarness.HOUR,
                List.of(
                    new MessageParts.SpaceHead(ALICE, 0), new MessageParts.SpaceHead(TEAM, 0))));
    assertThat(seqs(sent(welcome, Message.Push.class).get(0))).containsExactly(1L, 2L);
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.ONLINE);
    assertThat(h.timers).containsKeys(new Timer.StableSession(), new Timer.TokenRefresh());

    h.now += 5;
    List<Action> ack = h.receive(new Message.Ack(h.replicaId(), 2, List.of()));
    assertThat(sent(ack, Message.Push.class)).isEmpty();
    assertThat(h.store.pendingCount()).isZero();
    assertThat(h.machine.status().pendingChanges()).isZero();
    assertThat(h.machine.status().lastAck()).contains(java.time.Instant.ofEpochMilli(h.now));
    assertThat(of(ack, Action.StatusChanged.class)).isNotEmpty();
  }

  @Test
  void aRetryAfterALostAck_sendsTheBytesOfTheFirstAttempt_asTheDecodedPushWouldEncode() {
    h.write(ALICE, "me", "v0");
    h.write(TEAM, "board", "v1");
    String first = pushFrame(h.connect());
    h.step(new Event.Closed(CloseCode.GOING_AWAY.code(), "going away"));
    h.fire(new Timer.Reconnect());
    String retry = pushFrame(h.welcome());

    assertThat(retry).as("frozen once sent (DESIGN §7)").isEqualTo(first);
    Message.Push decoded = (Message.Push) WIRE.decode(first);
    assertThat(seqs(decoded)).containsExactly(1L, 2L);
    assertThat(WIRE.encode(decoded))
        .as("the frame a push decoded and encoded again would be")
        .isEqualTo(first);
  }

  private static final ProtocolCodec WIRE = new ProtocolCodec();

  /** The one push frame in {@code actions}, as the session sends it. */
  private static String pushFrame(List<Action> actions) {
    List<Action.SendEncoded> pushes = of(actions, Action.SendEncoded.class);
    assertThat(pushes).hasSize(1);
    return WIRE.encode(pushes.get(0).message());
  }

  @Test
  void oneChangeInFlightAtATime_inSeqOrder_withinTheBatchSize() {
    h.close();
    h = new MachineHarness(dir, 2, Duration.ofMillis(100), Duration.ofSeconds(10), 1).perChange();
    for (int i = 0; i < 5; i++) {
      h.write(ALICE, "me", "v" + i);
    }
    assertThat(seqs(sent(h.connect(), Message.Push.class).get(0))).containsExactly(1L, 2L);
    assertThat(sent(h.step(new Event.LocalWrite()), Message.Push.class))
        .as("the push in flight is answered first")
        .isEmpty();
    List<Action> ack = h.receive(new Message.Ack(h.replicaId(), 2, List.of()));
    assertThat(seqs(sent(ack, Message.Push.class).get(0))).containsExactly(3L, 4L);
    ack = h.receive(new Message.Ack(h.replicaId(), 4, List.of()));
    assertThat(seqs(sent(ack, Message.Push.class).get(0))).containsExactly(5L);
  }

  @ParameterizedTest
  @MethodSource("consumingCodes")
  void consumedRefusal_isQuarantinedWhenTheAckCoversIt_andFailsTheSyncWaiting(ErrorCode code) {
    for (int i = 0; i < 3; i++) {
      h.write(ALICE, "me", "v" + i);
    }
    h.connect();
    h.step(new Event.SyncRequested(7, 3, Duration.ofSeconds(10)));

    List<Action> refusal = h.receive(new Message.Error(code, "refused", 2L));
    assertThat(of(refusal, Action.Rejected.class)).as("not before the ack").isEmpty();
    assertThat(h.store.pendingCount()).isEqualTo(3);

    List<Action> ack = h.receive(new Message.Ack(h.replicaId(), 3, List.of()));
    List<Action.Rejected> rejected = of(ack, Action.Rejected.class);
    assertThat(rejected).hasSize(1);
    assertThat(rejected.get(0).rejected())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.seq()).isEqualTo(2);
              assertThat(r.code()).isEqualTo(code.wire());
            });
    assertThat(h.store.pendingCount()).isZero();
    assertThat(h.machine.status().rejectedChanges()).isEqualTo(1);
    Message.Sync sync = sent(ack, Message.Sync.class).get(0);

    List<Action> synced = h.receive(new Message.Synced(sync.ref(), List.of()));
    assertThat(of(synced, Action.SyncFailed.class))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.waiter()).isEqualTo(7);
              assertThat(f.code()).isEqualTo(SyncException.Code.REJECTED);
            });
    assertThat(synced).contains(new Action.Cancel(new Timer.SyncTimeout(7)));
  }

  @ParameterizedTest
  @MethodSource("rekeyCodes")
  void rekeyCode_takesANewId_reconnects_andNamesThePredecessor(ErrorCode code) {
    h.write(ALICE, "me", "a");
    h.write(ALICE, "me", "b");
    h.connect();
    String old = h.replicaId();

    List<Action> answer = h.receive(new Message.Error(code, "disagree", null));
    assertThat(h.replicaId()).isNotEqualTo(old);
    assertThat(answer)
        .containsSubsequence(
            new Action.Close(CloseCode.NORMAL.code(), "re-keyed"),
            new Action.FetchToken(Action.TokenUse.CONNECT),
            new Action.Open("t"));
    Message.Hello hello = sent(h.step(new Event.Connected()), Message.Hello.class).get(0);
    assertThat(hello.replicaId()).isEqualTo(h.replicaId());
    assertThat(hello.predecessor()).isEqualTo(old);
    List<Action> welcome = h.welcome();
    Message.Push push = sent(welcome, Message.Push.class).get(0);
    assertThat(seqs(push)).containsExactly(1L, 2L);
    assertThat(push.changesets())
        .allSatisfy(c -> assertThat(c.replicaId()).isEqualTo(h.replicaId()));
  }

  @Test
  void predecessorRefusedBeforeTheWelcome_isDropped_withoutAnotherRekey() {
    h.write(ALICE, "me", "a");
    String old = h.store.rekey("test", dev.converge.sdk.internal.store.Redelivery.NONE).replicaId();
    h.step(new Event.Start());
    assertThat(sent(h.step(new Event.Connected()), Message.Hello.class).get(0).predecessor())
        .isNotNull();

    List<Action> answer =
        h.receive(new Message.Error(ErrorCode.REPLICA_FORGED, "another user's", null));
    assertThat(h.replicaId()).isEqualTo(old);
    assertThat(h.store.predecessor()).isEmpty();
    assertThat(of(answer, Action.Close.class)).isEmpty();
    assertThat(sent(h.welcome(), Message.Push.class)).hasSize(1);
  }

  @ParameterizedTest
  @MethodSource("tokenCodes")
  void tokenCode_reconnectsAtOnceWithAFreshToken_thenReportsAuthFailure(ErrorCode code) {
    h.connect();
    h.token = "fresh";
    List<Action> answer = h.receive(new Message.Error(code, "token", null));
    assertThat(answer)
        .containsSubsequence(
            new Action.Close(CloseCode.NORMAL.code(), code.wire()),
            new Action.FetchToken(Action.TokenUse.CONNECT),
            new Action.Open("fresh"));
    assertThat(h.timers).doesNotContainKey(new Timer.Reconnect());
    assertThat(h.machine.status().lastError()).isEqualTo(ErrorCode.TOKEN_INVALID.wire());

    List<Action> refused = h.step(new Event.Failed(401, "expected HTTP 101 but was 401"));
    assertThat(of(refused, Action.Open.class)).isEmpty();
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.AUTH_FAILED);
    assertThat(h.timers).containsKey(new Timer.Reconnect());

    h.fire(new Timer.Reconnect());
    h.welcome();
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.ONLINE);
    assertThat(h.machine.status().lastError()).isNull();
  }

  @Test
  void tokenClose_countsAsATokenRefusal() {
    h.connect();
    List<Action> answer = h.step(new Event.Closed(CloseCode.TOKEN.code(), "token expired"));
    assertThat(of(answer, Action.Open.class)).hasSize(1);
    h.step(new Event.Closed(CloseCode.TOKEN.code(), "token expired"));
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.AUTH_FAILED);
  }

  @Test
  void aConnectionNeverAnswered_isAbandonedAfterTheHandshakeTimeout_andRetried() {
    List<Action> start = h.step(new Event.Start());
    assertThat(of(start, Action.Open.class)).hasSize(1);
    // Neither Connected nor a failure ever comes: the network swallowed the upgrade.
    List<Action> timeout = h.advance(SyncMachine.HANDSHAKE_TIMEOUT.toMillis());
    assertThat(of(timeout, Action.Close.class)).hasSize(1);
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.OFFLINE);
    assertThat(h.machine.status().lastError()).isEqualTo(SyncMachine.HANDSHAKE_TIMED_OUT);
    assertThat(h.timers).containsKey(new Timer.Reconnect());
    assertThat(of(h.fire(new Timer.Reconnect()), Action.Open.class)).hasSize(1);
  }

  @Test
  void aHelloNeverWelcomed_isAbandonedToo_butAWelcomedSessionIsKept() {
    h.step(new Event.Start());
    h.step(new Event.Connected());
    List<Action> timeout = h.advance(SyncMachine.HANDSHAKE_TIMEOUT.toMillis());
    assertThat(of(timeout, Action.Close.class)).hasSize(1);
    assertThat(h.machine.status().lastError()).isEqualTo(SyncMachine.HANDSHAKE_TIMED_OUT);

    h.fire(new Timer.Reconnect());
    h.welcome();
    assertThat(h.timers).doesNotContainKey(new Timer.Handshake());
    assertThat(of(h.advance(SyncMachine.HANDSHAKE_TIMEOUT.toMillis() * 2), Action.Close.class))
        .isEmpty();
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.ONLINE);
  }

  @Test
  void tokenSupplierFailure_isReported_andRetriedAfterTheBackoff() {
    h.tokenFails = true;
    List<Action> start = h.step(new Event.Start());
    assertThat(of(start, Action.Open.class)).isEmpty();
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.AUTH_FAILED);
    assertThat(h.machine.status().lastError()).isEqualTo(SyncMachine.TOKEN_SUPPLIER_FAILED);
    h.tokenFails = false;
    assertThat(of(h.fire(new Timer.Reconnect()), Action.Open.class)).hasSize(1);
  }

  @Test
  void tokenRefresh_sendsAFreshTokenBeforeExpiry_andRetriesAFailedSupplier() {
    h.connect();
    long due = h.timers.get(new Timer.TokenRefresh());
    // 80% of the lifetime, and at least a minute before expiry.
    assertThat(due - h.now).isEqualTo((long) (MachineHarness.HOUR * 0.8));

    h.token = "fresh";
    List<Action> refresh = h.fire(new Timer.TokenRefresh());
    assertThat(sent(refresh, Message.Auth.class)).containsExactly(new Message.Auth("fresh"));

    h.receive(new Message.Authed(h.now + 100_000));
    assertThat(h.timers.get(new Timer.TokenRefresh()) - h.now).isEqualTo(40_000);
    h.tokenFails = true;
    h.fire(new Timer.TokenRefresh());
    assertThat(h.machine.status().lastError()).isEqualTo(SyncMachine.TOKEN_SUPPLIER_FAILED);
    assertThat(h.timers.get(new Timer.TokenRefresh()) - h.now).isEqualTo(5_000);
  }

  @Test
  void tooBigClose_halvesTheBatch_andASingleChangeTooBigIsSetAside() {
    for (int i = 0; i < 4; i++) {
      h.write(ALICE, "me", "v" + i);
    }
    assertThat(seqs(sent(h.connect(), Message.Push.class).get(0))).hasSize(4);
    h.step(new Event.Closed(CloseCode.TOO_BIG.code(), "message too big"));
    assertThat(h.machine.status().lastError()).isEqualTo(ErrorCode.TOO_LARGE.wire());
    assertThat(h.store.rejectedCount()).isZero();

    h.fire(new Timer.Reconnect());
    assertThat(seqs(sent(h.welcome(), Message.Push.class).get(0))).containsExactly(1L, 2L);
    h.receive(new Message.Ack(h.replicaId(), 2, List.of()));
    h.step(new Event.Closed(CloseCode.TOO_BIG.code(), "message too big"));
    h.fire(new Timer.Reconnect());
    assertThat(seqs(sent(h.welcome(), Message.Push.class).get(0))).containsExactly(3L);

    List<Action> alone = h.step(new Event.Closed(CloseCode.TOO_BIG.code(), "message too big"));
    assertThat(of(alone, Action.Rejected.class))
        .singleElement()
        .satisfies(r -> assertThat(r.rejected().get(0).code()).isEqualTo("too_large"));
    h.fire(new Timer.Reconnect());
    Message.Push replaced = sent(h.welcome(), Message.Push.class).get(0);
    assertThat(seqs(replaced)).as("an empty change keeps seq 3").containsExactly(3L);
    assertThat(replaced.changesets().get(0).delta().isEmpty()).isTrue();
    List<Action> ack = h.receive(new Message.Ack(h.replicaId(), 3, List.of()));
    assertThat(seqs(sent(ack, Message.Push.class).get(0))).containsExactly(4L);
  }

  @Test
  void tooLargeError_halvesThePushAtOnce_downToOneChange_whichIsSetAside() {
    for (int i = 0; i < 4; i++) {
      h.write(ALICE, "me", "v" + i);
    }
    h.connect();
    List<Action> answer = h.receive(new Message.Error(ErrorCode.TOO_LARGE, "push too big", null));
    assertThat(seqs(sent(answer, Message.Push.class).get(0))).containsExactly(1L, 2L);
    answer = h.receive(new Message.Error(ErrorCode.TOO_LARGE, "push too big", null));
    assertThat(seqs(sent(answer, Message.Push.class).get(0))).containsExactly(1L);

    answer = h.receive(new Message.Error(ErrorCode.TOO_LARGE, "push too big", null));
    assertThat(of(answer, Action.Rejected.class))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.rejected().get(0).seq()).isEqualTo(1);
              assertThat(r.rejected().get(0).code()).isEqualTo(ErrorCode.TOO_LARGE.wire());
            });
    Message.Push replaced = sent(answer, Message.Push.class).get(0);
    assertThat(seqs(replaced)).containsExactly(1L);
    assertThat(replaced.changesets().get(0).delta().isEmpty()).isTrue();
    List<Action> ack = h.receive(new Message.Ack(h.replicaId(), 1, List.of()));
    assertThat(seqs(sent(ack, Message.Push.class).get(0))).containsExactly(2L, 3L);
    assertThat(h.store.rejectedCount()).isEqualTo(1);
  }

  @Test
  void rateLimitedPush_isKeptAndRetriedNoSoonerThanTheHint_andTheStatusSaysWhy() {
    h.write(ALICE, "me", "a");
    h.connect();
    List<Action> limited =
        h.receive(
            new Message.Error(
                ErrorCode.RATE_LIMITED.wire(), "this user's changesets are used up", null, 2_500L));
    assertThat(limited).contains(new Action.Schedule(new Timer.PushRetry(), 2_500));
    assertThat(h.machine.status().lastError()).isEqualTo("rate_limited");
    assertThat(h.machine.status().pendingChanges()).as("nothing consumed").isEqualTo(1);
    assertThat(h.store.rejectedCount()).isZero();
    assertThat(sent(h.advance(2_499), Message.Push.class)).isEmpty();
    assertThat(seqs(sent(h.advance(1), Message.Push.class).get(0))).containsExactly(1L);
    h.receive(new Message.Ack(h.replicaId(), 1, List.of()));
    assertThat(h.machine.status().lastError()).isNull();
  }

  @Test
  void failedPush_waitsTheBackoffOrRetryAfterMs_whicheverIsLonger_andAnAckEndsTheStreak() {
    h.write(ALICE, "me", "a");
    h.connect();
    // A code this build does not know is transient too.
    List<Action> failed =
        h.receive(new Message.Error("unavailable", "database down", null, 5_000L));
    assertThat(failed).contains(new Action.Schedule(new Timer.PushRetry(), 5_000));
    assertThat(h.machine.status().lastError()).isEqualTo("unavailable");
    assertThat(h.machine.status().nextRetryAt())
        .isEqualTo(java.time.Instant.ofEpochMilli(h.now + 5_000));
    assertThat(sent(h.step(new Event.LocalWrite()), Message.Push.class)).as("held").isEmpty();

    assertThat(sent(h.advance(4_999), Message.Push.class)).isEmpty();
    assertThat(seqs(sent(h.advance(1), Message.Push.class).get(0))).containsExactly(1L);
    assertThat(h.machine.status().nextRetryAt()).as("retried at, until answered").isNotNull();

    h.receive(new Message.Ack(h.replicaId(), 1, List.of()));
    assertThat(h.machine.status().lastError()).isNull();
    assertThat(h.machine.status().nextRetryAt()).isNull();

    h.write(ALICE, "me", "b");
    h.step(new Event.LocalWrite());
    List<Action> again = h.receive(new Message.Error(ErrorCode.INTERNAL, "oops", null));
    long delay = of(again, Action.Schedule.class).get(0).delayMillis();
    assertThat(delay).as("the backoff starts over after progress").isBetween(50L, 100L);
  }

  @Test
  void aFailureRightAfterEachWelcome_backsOffInsteadOfLooping() {
    h.close();
    h =
        new MachineHarness(dir, 100, Duration.ofMillis(20), Duration.ofMillis(1_000), 3)
            .perChange();
    h.write(ALICE, "me", "a");
    h.step(new Event.Start());
    long end = h.now + 3_000;
    int sessions = 1;
    while (true) {
      h.welcome();
      h.receive(new Message.Error(ErrorCode.INTERNAL, "crash", null));
      h.step(new Event.Closed(1011, "injected"));
      Long due = h.timers.get(new Timer.Reconnect());
      assertThat(due).as("a reconnect is always due").isNotNull();
      if (due > end) {
        break;
      }
      sessions += of(h.advance(due - h.now), Action.Open.class).size();
    }
    // A welcome that reset the backoff would reconnect every 10-20 ms: about 150 sessions here.
    assertThat(sessions).isBetween(3, 14);
    assertThat(h.machine.status().pendingChanges()).isEqualTo(1);
    assertThat(h.machine.status().lastError()).isEqualTo(ErrorCode.INTERNAL.wire());
  }

  @Test
  void aSessionThatStaysUp_forgetsTheBackoff() {
    h.close();
    h =
        new MachineHarness(dir, 100, Duration.ofMillis(20), Duration.ofMillis(1_000), 3)
            .perChange();
    h.step(new Event.Start());
    for (int i = 0; i < 5; i++) {
      h.step(new Event.Failed(0, "refused"));
      h.fire(new Timer.Reconnect());
    }
    h.welcome();
    h.advance(SyncMachine.STABLE_SESSION.toMillis());
    h.step(new Event.Closed(CloseCode.GOING_AWAY.code(), "restart"));
    assertThat(h.timers.get(new Timer.Reconnect()) - h.now).isBetween(10L, 20L);
  }

  @Test
  void syncNow_asksTheHeadsOnceItsChangesAreAcked_andCompletesWhenTheCursorsReachThem() {
    h.write(ALICE, "me", "mine");
    h.connect();
    List<Action> asked = h.step(new Event.SyncRequested(1, 1, Duration.ofSeconds(10)));
    assertThat(asked).contains(new Action.Schedule(new Timer.SyncTimeout(1), 10_000));
    assertThat(sent(asked, Message.Sync.class)).as("own change not acked yet").isEmpty();

    Message.Sync sync =
        sent(h.receive(new Message.Ack(h.replicaId(), 1, List.of())), Message.Sync.class).get(0);
    List<Action> synced =
        h.receive(
            new Message.Synced(
                sync.ref(),
                List.of(
                    new MessageParts.SpaceHead(ALICE, 3), new MessageParts.SpaceHead(TEAM, 0))));
    assertThat(of(synced, Action.SyncDone.class)).as("cursor 0 < head 3").isEmpty();

    List<Action> caughtUp =
        h.receive(
            new Message.Changes(
                ALICE,
                0,
                3,
                List.of(remote(1, "a", "x"), remote(2, "b", "y"), remote(3, "a", "z")),
                false));
    assertThat(of(caughtUp, Action.DocumentsChanged.class))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.source()).isEqualTo(ChangeSource.REMOTE);
              assertThat(c.keys())
                  .containsExactly(
                      new DocumentKey(ALICE, "profiles", "a"),
                      new DocumentKey(ALICE, "profiles", "b"));
            });
    assertThat(caughtUp)
        .containsSubsequence(new Action.Cancel(new Timer.SyncTimeout(1)), new Action.SyncDone(1));
    assertThat(h.store.cursor(ALICE)).isEqualTo(3);
  }

  @Test
  void syncNow_timesOutWhileOffline_andFailsAtOnceOnceClosed() {
    h.step(new Event.SyncRequested(4, 0, Duration.ofMillis(500)));
    List<Action> timeout = h.advance(500);
    assertThat(of(timeout, Action.SyncFailed.class))
        .containsExactly(
            new Action.SyncFailed(
                4,
                SyncException.Code.TIMEOUT,
                "not synced within 500 ms (state DISCONNECTED, 0 changes pending)"));

    h.step(new Event.SyncRequested(5, 0, Duration.ofSeconds(5)));
    List<Action> shutdown = h.step(new Event.Shutdown());
    assertThat(shutdown)
        .contains(new Action.SyncFailed(5, SyncException.Code.CLOSED, "client closed"));
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.CLOSED);
    assertThat(h.timers).isEmpty();
    assertThat(h.step(new Event.SyncRequested(6, 0, Duration.ofSeconds(5))))
        .containsExactly(new Action.SyncFailed(6, SyncException.Code.CLOSED, "client is closed"));
  }

  @Test
  void serverErrorWhileAHeadRequestIsUnanswered_asksAgainAfterTheBackoff() {
    h.connect();
    h.step(new Event.SyncRequested(1, 0, Duration.ofSeconds(30)));
    List<Action> failed = h.receive(new Message.Error(ErrorCode.INTERNAL, "head read", null));
    assertThat(h.timers).containsKey(new Timer.PushRetry());
    assertThat(sent(failed, Message.Sync.class)).isEmpty();
    List<Action> retry = h.fire(new Timer.PushRetry());
    assertThat(sent(retry, Message.Sync.class)).hasSize(1);
  }

  @Test
  void snapshot_leavesTheCursorExactlyAtItsHead_evenBelowTheOldCursor() {
    h.connect();
    h.receive(
        new Message.Changes(ALICE, 0, 5, List.of(remote(4, "a", "x"), remote(5, "b", "y")), false));
    assertThat(h.store.cursor(ALICE)).isEqualTo(5);

    MessageParts.SnapshotDoc doc =
        new MessageParts.SnapshotDoc("profiles", "c", remote(1, "c", "z").delta());
    h.receive(new Message.Snapshot(ALICE, 2, List.of(doc), true));
    assertThat(h.store.snapshotInProgress(ALICE)).isTrue();
    assertThat(h.machine.status().spaces().get(ALICE).snapshotInProgress()).isTrue();
    h.receive(new Message.Snapshot(ALICE, 2, List.of(), false));
    assertThat(h.store.snapshotInProgress(ALICE)).isFalse();
    assertThat(h.store.cursor(ALICE)).isEqualTo(2);
    assertThat(h.machine.status().spaces().get(ALICE).cursor()).isEqualTo(2);
  }

  @Test
  void changesStartingAboveTheCursor_restartTheSession_insteadOfSkippingTheHole() {
    h.connect();
    List<Action> gap =
        h.receive(new Message.Changes(ALICE, 3, 4, List.of(remote(4, "a", "x")), false));
    assertThat(gap)
        .containsSubsequence(
            new Action.Close(CloseCode.NORMAL.code(), "gap in changes"), new Action.Open("t"));
    assertThat(h.store.cursor(ALICE)).isZero();
  }

  @Test
  void ownReplicaIdBeyondTheIssuedSeqs_meansACopy_andReKeys() {
    h.connect();
    String original = h.replicaId();
    MessageParts.ChangeItem item = remote(1, "me", "from the copy");
    MessageParts.ChangeItem fromCopy =
        new MessageParts.ChangeItem(
            1, "profiles", "me", item.delta(), new MessageParts.Origin(original, 42));
    List<Action> answer = h.receive(new Message.Changes(ALICE, 0, 1, List.of(fromCopy), false));
    assertThat(h.replicaId()).isNotEqualTo(original);
    assertThat(answer).contains(new Action.Close(CloseCode.NORMAL.code(), "re-keyed"));
    assertThat(h.store.cursor(ALICE)).as("the change itself was applied").isEqualTo(1);
  }

  @Test
  void revokedWhileOnline_purgesTheSpace_andMarksItForbidden() {
    h.connect();
    h.receive(new Message.Changes(TEAM, 0, 1, List.of(remote(1, "shared", "x")), false));
    DocumentKey shared = new DocumentKey(TEAM, "profiles", "shared");
    assertThat(h.store.read(shared)).isPresent();

    List<Action> revoked = h.receive(new Message.Revoked(TEAM));
    assertThat(revoked).contains(new Action.DocumentsChanged(List.of(shared), ChangeSource.REMOTE));
    assertThat(of(revoked, Action.Rejected.class)).isEmpty();
    assertThat(of(revoked, Action.Close.class)).as("no own dots: no re-key").isEmpty();
    assertThat(h.store.read(shared)).isEmpty();
    assertThat(h.machine.status().spaces().get(TEAM).forbidden()).isTrue();
    assertThat(h.machine.status().spaces().get(ALICE).forbidden()).isFalse();
  }

  @Test
  void revocationMissedWhileOffline_rejectsItsUnsentChanges_reKeys_andPushesTheRest() {
    h.store.applyChanges(TEAM, 1, List.of(remote(1, "shared", "x")));
    h.write(TEAM, "shared", "mine");
    h.write(ALICE, "me", "kept");
    String old = h.replicaId();
    h.step(new Event.Start());

    List<Action> welcome = h.welcome(ALICE);
    assertThat(of(welcome, Action.Rejected.class))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.rejected())
                    .singleElement()
                    .satisfies(
                        c -> {
                          assertThat(c.code()).isEqualTo("revoked");
                          assertThat(c.key().space()).isEqualTo(TEAM);
                        }));
    assertThat(welcome)
        .containsSubsequence(
            new Action.Close(CloseCode.NORMAL.code(), "re-keyed after revocation"),
            new Action.Open("t"));
    assertThat(h.replicaId()).isNotEqualTo(old);
    assertThat(sent(h.step(new Event.Connected()), Message.Hello.class).get(0).predecessor())
        .isEqualTo(old);
    Message.Push push = sent(h.welcome(ALICE), Message.Push.class).get(0);
    assertThat(seqs(push)).containsExactly(1L);
    assertThat(push.changesets().get(0).space()).isEqualTo(ALICE);
  }

  @Test
  void malformedFrame_closesWithProtocol_andReconnectsAfterTheBackoff() {
    h.connect();
    List<Action> answer = h.step(new Event.Malformed("not JSON"));
    assertThat(answer).contains(new Action.Close(CloseCode.PROTOCOL.code(), "malformed message"));
    assertThat(h.machine.status().lastError()).isEqualTo(ErrorCode.MALFORMED.wire());
    assertThat(h.timers).containsKey(new Timer.Reconnect());
    assertThat(h.timers).doesNotContainKeys(new Timer.TokenRefresh(), new Timer.StableSession());
  }

  @Test
  void closeCodes_leaveTheirStatusCode() {
    h.connect();
    h.step(new Event.Closed(CloseCode.TOO_SLOW.code(), "too slow"));
    assertThat(h.machine.status().lastError()).isEqualTo("too_slow");
    h.fire(new Timer.Reconnect());
    h.welcome();
    h.step(new Event.Closed(CloseCode.PROTOCOL.code(), "protocol"));
    assertThat(h.machine.status().lastError()).isEqualTo("protocol");
    h.fire(new Timer.Reconnect());
    h.welcome();
    h.step(new Event.Closed(CloseCode.TOO_MANY_CONNECTIONS.code(), "too many connections"));
    assertThat(h.machine.status().lastError()).isEqualTo("too_many_connections");
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.OFFLINE);
    assertThat(h.timers).as("retried with backoff").containsKey(new Timer.Reconnect());
  }

  @Test
  void pause_closesAndIgnoresTimers_resume_connectsAtOnce() {
    h.connect();
    List<Action> pause = h.step(new Event.Pause());
    assertThat(pause).contains(new Action.Close(CloseCode.NORMAL.code(), "paused"));
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.PAUSED);
    assertThat(h.timers).isEmpty();
    h.write(ALICE, "me", "offline");
    assertThat(h.step(new Event.LocalWrite()))
        .noneMatch(
            a ->
                a instanceof Action.Send
                    || a instanceof Action.SendEncoded
                    || a instanceof Action.Open);

    List<Action> resume = h.step(new Event.Resume());
    assertThat(resume).contains(new Action.Open("t"));
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.OFFLINE);
    assertThat(seqs(sent(h.welcome(), Message.Push.class).get(0))).containsExactly(1L);
  }

  @Test
  void stepFailure_endsTheSession_andReconnects() {
    h.connect();
    List<Action> failed = h.step(new Event.StepFailed("boom"));
    assertThat(failed).contains(new Action.Close(CloseCode.NORMAL.code(), "internal error"));
    assertThat(h.machine.status().lastError()).isEqualTo(ErrorCode.INTERNAL.wire());
    assertThat(h.timers).containsKey(new Timer.Reconnect());
  }

  @Test
  void cancelledTimer_thatFiresLate_isIgnored() {
    h.connect();
    h.step(new Event.Pause());
    assertThat(h.step(new Event.TimerFired(new Timer.TokenRefresh()))).isEmpty();
    assertThat(h.step(new Event.TimerFired(new Timer.Reconnect()))).isEmpty();
  }
}
