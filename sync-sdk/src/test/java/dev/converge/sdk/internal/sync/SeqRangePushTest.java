package dev.converge.sdk.internal.sync;

import static dev.converge.sdk.internal.sync.MachineHarness.ALICE;
import static dev.converge.sdk.internal.sync.MachineHarness.TEAM;
import static dev.converge.sdk.internal.sync.MachineHarness.sent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.internal.store.OutboxRow;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seq ranges on the device (docs/protocol-2.md, DESIGN §7): before a push the never-sent outbox
 * rows of one document with consecutive seqs are joined into one changeset covering their range;
 * once sent, a range and its bytes are frozen, across a lost ack and a restart.
 */
class SeqRangePushTest {

  private static final ProtocolCodec WIRE = new ProtocolCodec();

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

  private static Message.Push onePush(List<Action> actions) {
    List<Message.Push> pushes = sent(actions, Message.Push.class);
    assertThat(pushes).hasSize(1);
    return pushes.get(0);
  }

  /** The push-ready texts of the one push in {@code actions}, as they go on the wire. */
  private static List<String> texts(List<Action> actions) {
    List<Action.SendEncoded> pushes =
        actions.stream()
            .filter(Action.SendEncoded.class::isInstance)
            .map(Action.SendEncoded.class::cast)
            .toList();
    assertThat(pushes).hasSize(1);
    return ((dev.converge.core.protocol.Encoded.Push) pushes.get(0).message()).changesets();
  }

  private static <T> List<T> each(Message.Push push, Function<Changeset, T> f) {
    return push.changesets().stream().map(f).toList();
  }

  @Test
  void anOfflineDevice_pushesOneChangesetPerDocumentItTouched_carryingItsRange() {
    for (int i = 0; i < 50; i++) {
      h.write(ALICE, "me", "v" + i);
    }
    for (int i = 0; i < 30; i++) {
      h.write(TEAM, "board", "b" + i);
    }
    for (int i = 0; i < 20; i++) {
      h.write(ALICE, "other", "o" + i);
    }

    Message.Push push = onePush(h.connect());

    assertThat(each(push, Changeset::seq)).containsExactly(1L, 51L, 81L);
    assertThat(each(push, Changeset::toSeq)).containsExactly(50L, 80L, 100L);
    assertThat(each(push, Changeset::docId)).containsExactly("me", "board", "other");
    // The joined delta is the join of the row deltas: the register holds the last write.
    Document me = push.changesets().get(0).delta();
    assertThat(me.toJson().toString()).contains("\"v49\"").doesNotContain("\"v48\"");
    // The ack of the last range empties the outbox.
    h.receive(new Message.Ack(h.replicaId(), 100, List.of()));
    assertThat(h.store.pendingCount()).isZero();
  }

  @Test
  void interleavedDocuments_areJoinedOnlyOverConsecutiveSeqs() {
    h.write(ALICE, "me", "a");
    h.write(ALICE, "me", "b");
    h.write(TEAM, "board", "c");
    h.write(ALICE, "me", "d");

    Message.Push push = onePush(h.connect());

    assertThat(each(push, Changeset::seq)).containsExactly(1L, 3L, 4L);
    assertThat(each(push, Changeset::toSeq)).containsExactly(2L, 3L, 4L);
  }

  @Test
  void aRetryAfterALostAck_isByteIdentical_evenThoughTheDocumentWasWrittenAgainMeanwhile() {
    h.write(ALICE, "me", "v0");
    h.write(ALICE, "me", "v1");
    List<String> first = texts(h.connect());
    // Written after the push went out: never joined into the range already sent.
    h.write(ALICE, "me", "v2");
    h.write(ALICE, "me", "v3");
    h.step(new Event.Closed(CloseCode.GOING_AWAY.code(), "going away"));
    h.fire(new Timer.Reconnect());

    List<String> retry = texts(h.welcome());

    assertThat(first).hasSize(1);
    assertThat(retry).hasSize(2);
    assertThat(retry.get(0)).as("frozen once sent (DESIGN §7)").isEqualTo(first.get(0));
    assertThat(WIRE.decodeChangeset(retry.get(0)).toSeq()).isEqualTo(2);
    Changeset later = WIRE.decodeChangeset(retry.get(1));
    assertThat(later.seq()).isEqualTo(3);
    assertThat(later.toSeq()).isEqualTo(4);
  }

  @Test
  void theSentMark_survivesARestart_soARangeIsNeverReCut() {
    h.write(ALICE, "me", "v0");
    h.write(ALICE, "me", "v1");
    List<String> first = texts(h.connect());
    h.close();

    h = new MachineHarness(dir);
    h.write(ALICE, "me", "v2");
    List<String> afterRestart = texts(h.connect());

    assertThat(afterRestart.get(0)).isEqualTo(first.get(0));
    assertThat(afterRestart).hasSize(2);
    List<OutboxRow> rows = h.store.outbox(0, 10);
    assertThat(rows).extracting(OutboxRow::seq).containsExactly(1L, 3L);
    assertThat(rows).extracting(OutboxRow::toSeq).containsExactly(2L, 3L);
  }
}
