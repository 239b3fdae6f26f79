package dev.converge.sdk.internal.sync;

import static dev.converge.sdk.internal.sync.MachineHarness.ALICE;
import static dev.converge.sdk.internal.sync.MachineHarness.TEAM;
import static dev.converge.sdk.internal.sync.MachineHarness.of;
import static dev.converge.sdk.internal.sync.MachineHarness.sent;
import static dev.converge.sdk.internal.sync.MachineHarness.seqs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectionReason;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push the server refuses as a whole with {@code forbidden_space} (an erased space): retried once
 * under a fresh token, then the refused space's unsent changes are rejected and the rest of the
 * outbox drains, instead of a silent retry loop that holds every later change back.
 */
class ForbiddenPushMachineTest {

  private static final DocumentKey SHARED = new DocumentKey(TEAM, "profiles", "shared");

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

  private static Message.Error erased() {
    return new Message.Error(
        ErrorCode.FORBIDDEN_SPACE, "space 'team:1' was erased; nothing was applied", null);
  }

  @Test
  void refusedOnce_retriesUnderAFreshToken_refusedAgain_rejectsTheSpace_andTheOutboxDrains() {
    h.write(TEAM, "shared", "mine");
    h.write(ALICE, "me", "kept");
    Document before = h.store.read(SHARED).orElseThrow();
    String old = h.replicaId();
    assertThat(seqs(sent(h.connect(), Message.Push.class).get(0))).containsExactly(1L, 2L);

    // First refusal: a fresh token, no rejection yet.
    h.token = "fresh";
    List<Action> first = h.receive(erased());
    assertThat(of(first, Action.Rejected.class)).isEmpty();
    assertThat(first)
        .containsSubsequence(
            new Action.Close(CloseCode.NORMAL.code(), "forbidden_space: fetching a fresh token"),
            new Action.FetchToken(Action.TokenUse.CONNECT),
            new Action.Open("fresh"));
    assertThat(h.store.pendingCount()).isEqualTo(2);

    // Under the fresh token each push holds one space: the refused one is named by the push.
    Message.Push retry = sent(h.welcome(), Message.Push.class).get(0);
    assertThat(seqs(retry)).containsExactly(1L);
    assertThat(retry.changesets().get(0).space()).isEqualTo(TEAM);

    // Refused again: the space's unsent change is rejected, visibly, and the id is retired.
    List<Action> second = h.receive(erased());
    assertThat(of(second, Action.Rejected.class))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.rejected())
                    .singleElement()
                    .satisfies(
                        c -> {
                          assertThat(c.reason()).isEqualTo(RejectionReason.FORBIDDEN_SPACE);
                          assertThat(c.key()).isEqualTo(SHARED);
                        }));
    assertThat(second)
        .containsSubsequence(
            new Action.Close(CloseCode.NORMAL.code(), "re-keyed after a refused space"),
            new Action.Open("fresh"));
    assertThat(h.store.rejectedCount()).isEqualTo(1);
    assertThat(h.machine.status().rejectedChanges()).isEqualTo(1);
    assertThat(h.machine.status().lastError()).isEqualTo(ErrorCode.FORBIDDEN_SPACE.wire());
    // The local value stays, as for any rejection.
    assertThat(h.store.read(SHARED)).contains(before);
    assertThat(h.replicaId()).isNotEqualTo(old);

    // The change to the granted space behind it goes out and is acked: the outbox drains.
    assertThat(sent(h.step(new Event.Connected()), Message.Hello.class).get(0).predecessor())
        .isEqualTo(old);
    Message.Push rest = sent(h.welcome(), Message.Push.class).get(0);
    assertThat(seqs(rest)).containsExactly(1L);
    assertThat(rest.changesets().get(0).space()).isEqualTo(ALICE);
    h.receive(new Message.Ack(h.replicaId(), 1, List.of()));
    assertThat(h.store.pendingCount()).isZero();
    assertThat(h.machine.status().rejectedChanges()).isEqualTo(1);
    assertThat(h.machine.status().lastError()).isNull();
  }

  @Test
  void grantedUnderTheFreshToken_isPushedAndAcked_withoutRejectingAnything() {
    h.write(TEAM, "shared", "mine");
    h.connect();
    h.receive(erased());

    Message.Push retry = sent(h.welcome(), Message.Push.class).get(0);
    assertThat(seqs(retry)).containsExactly(1L);
    h.receive(new Message.Ack(h.replicaId(), 1, List.of()));

    assertThat(h.store.pendingCount()).isZero();
    assertThat(h.store.rejectedCount()).isZero();
    assertThat(of(h.log, Action.Rejected.class)).isEmpty();
  }

  @Test
  void anotherWholePushFailure_isStillRetriedWithBackoff_andRejectsNothing() {
    h.write(TEAM, "shared", "mine");
    h.connect();
    List<Action> failed = h.receive(new Message.Error(ErrorCode.INTERNAL, "oops", null));

    assertThat(of(failed, Action.Close.class)).isEmpty();
    assertThat(h.timers).containsKey(new Timer.PushRetry());
    assertThat(h.store.pendingCount()).isEqualTo(1);
    assertThat(h.store.rejectedCount()).isZero();
  }

  @Test
  void aRefusalWhileASubscriptionIsRefused_mayBeThatOne_andIsOnlyRetried() {
    h.write(ALICE, "me", "kept");
    h.connect(ALICE);
    List<Action> answer =
        h.receive(
            new Message.Error(
                ErrorCode.FORBIDDEN_SPACE, "space 'team:1' is not granted by this token", null));

    assertThat(of(answer, Action.Close.class)).isEmpty();
    assertThat(h.timers).containsKey(new Timer.PushRetry());
    assertThat(h.store.pendingCount()).isEqualTo(1);
    assertThat(h.store.rejectedCount()).isZero();
  }
}
