package dev.converge.sdk.internal.sync;

import static dev.converge.sdk.internal.sync.MachineHarness.ALICE;
import static dev.converge.sdk.internal.sync.MachineHarness.TEAM;
import static dev.converge.sdk.internal.sync.MachineHarness.of;
import static dev.converge.sdk.internal.sync.MachineHarness.remote;
import static dev.converge.sdk.internal.sync.MachineHarness.sent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.DocumentKey;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runtime subscriptions in the state machine: a space subscribed on a welcomed session is asked for
 * at once (offline, the next hello carries it), a space the server does not name in its answer is
 * forbidden; an unsubscribe tells the server before the purge, drops the space's data, ignores its
 * later changes, and retires the replica id when the purge removed own writes.
 */
class RuntimeSubscriptionMachineTest {

  private static final String OTHER = "team:2";

  @TempDir Path dir;

  private MachineHarness h;

  @BeforeEach
  void machine() {
    h = new MachineHarness(dir);
  }

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void aMachineIsDisconnected_untilStart() {
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(h.step(new Event.Start())).contains(new Action.FetchToken(Action.TokenUse.CONNECT));
    h.welcome();
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.ONLINE);
    h.step(new Event.Disconnect());
    assertThat(h.machine.status().connection()).isEqualTo(ConnectionState.DISCONNECTED);
  }

  @Test
  void subscribeOnAWelcomedSession_asksAtOnce_andAnUnnamedSpaceIsForbidden() {
    h.connect();
    List<Message.Subscribe> asked =
        sent(h.step(new Event.Subscribe(OTHER)), Message.Subscribe.class);
    assertThat(asked)
        .singleElement()
        .isEqualTo(new Message.Subscribe(List.of(new MessageParts.Subscription(OTHER, 0, 0L))));
    h.receive(new Message.Subscribed(List.of()));
    assertThat(h.machine.status().spaces().get(OTHER).forbidden()).isTrue();

    // Subscribing again to a followed space asks nothing.
    assertThat(sent(h.step(new Event.Subscribe(OTHER)), Message.Subscribe.class)).isEmpty();

    String third = "team:3";
    h.step(new Event.Subscribe(third));
    h.receive(new Message.Subscribed(List.of(new MessageParts.SpaceHead(third, 5))));
    assertThat(h.machine.status().spaces().get(third).forbidden()).isFalse();
    assertThat(h.machine.status().spaces().get(third).behindChanges()).isEqualTo(5);
  }

  @Test
  void subscribeWhileDisconnected_isCarriedByTheNextHello() {
    assertThat(h.step(new Event.Subscribe(OTHER))).doesNotHaveAnyElementsOfTypes(Action.Send.class);
    h.step(new Event.Start());
    Message.Hello hello = sent(h.step(new Event.Connected()), Message.Hello.class).get(0);
    assertThat(hello.subscriptions())
        .extracting(MessageParts.Subscription::space)
        .containsExactly(ALICE, TEAM, OTHER);
  }

  @Test
  void unsubscribe_tellsTheServerFirst_purges_andIgnoresLaterChanges() {
    h.connect();
    h.receive(new Message.Changes(TEAM, 0, 1, List.of(remote(1, "doc", "v")), false));
    DocumentKey doc = new DocumentKey(TEAM, "profiles", "doc");
    assertThat(h.store.read(doc)).isPresent();
    String replica = h.replicaId();

    List<Action> actions = h.step(new Event.Unsubscribe(List.of(TEAM)));

    assertThat(actions.get(0)).isEqualTo(new Action.Send(new Message.Unsubscribe(List.of(TEAM))));
    assertThat(of(actions, Action.DocumentsChanged.class))
        .singleElement()
        .satisfies(c -> assertThat(c.keys()).containsExactly(doc));
    assertThat(of(actions, Action.Close.class)).isEmpty();
    assertThat(h.replicaId()).isEqualTo(replica);
    assertThat(h.store.read(doc)).isEmpty();
    assertThat(h.store.cursor(TEAM)).isZero();
    assertThat(h.machine.status().spaces()).doesNotContainKey(TEAM);

    h.receive(new Message.Changes(TEAM, 1, 2, List.of(remote(2, "late", "v")), false));
    assertThat(h.store.read(new DocumentKey(TEAM, "profiles", "late"))).isEmpty();
  }

  @Test
  void unsubscribeThatDropsOwnWrites_retiresTheReplicaId_andRestartsTheSession() {
    h.connect();
    h.write(TEAM, "mine", "unsent");
    String replica = h.replicaId();

    List<Action> actions = h.step(new Event.Unsubscribe(List.of(TEAM)));

    assertThat(sent(actions, Message.Unsubscribe.class)).hasSize(1);
    assertThat(of(actions, Action.Close.class)).hasSize(1);
    assertThat(h.replicaId()).isNotEqualTo(replica);
    assertThat(h.store.rejected())
        .singleElement()
        .satisfies(r -> assertThat(r.code()).isEqualTo("unsubscribed"));
    Message.Hello hello = sent(h.step(new Event.Connected()), Message.Hello.class).get(0);
    assertThat(hello.subscriptions())
        .extracting(MessageParts.Subscription::space)
        .containsExactly(ALICE);
  }
}
