package dev.converge.sdk.internal.sync;

import static dev.converge.sdk.internal.sync.MachineHarness.ALICE;
import static dev.converge.sdk.internal.sync.MachineHarness.of;
import static dev.converge.sdk.internal.sync.MachineHarness.remote;
import static dev.converge.sdk.internal.sync.MachineHarness.sent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.ChangeSource;
import dev.converge.sdk.DocumentKey;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The document re-read in the state machine: a refused overwrite left the device without the value
 * the server still has; the machine fetches the document after the refusal, replaces it with the
 * server's state, joins its unacked changes of it again, and fetches again after a lost session or
 * a restart.
 */
// Per change (MachineHarness#perChange): the scenario needs one change refused while the next one
// of the same document is still unacked.
class SyncMachineRereadTest {

  private static final DocumentKey ME = new DocumentKey(ALICE, "profiles", "me");

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

  /**
   * Another member's "theirs" is applied; the device overwrites it with "mine" (seq 1, later
   * refused) and writes a note (seq 2, still unacked when the re-read arrives).
   */
  private Message.Fetch overwriteRefused() {
    h.connect();
    h.receive(new Message.Changes(ALICE, 0, 1, List.of(remote(1, "me", "theirs")), false));
    h.write(ALICE, "me", "mine");
    h.store.writeLocal(
        ME,
        (doc, replica, hlc) ->
            doc.writeRegister(replica, List.of("note"), TextNode.valueOf("kept"), hlc));
    h.step(new Event.LocalWrite());
    assertThat(read("name")).contains("mine");

    List<Action> refusal = h.receive(new Message.Error(ErrorCode.CONTEXT_FORGED, "refused", 1L));
    assertThat(sent(refusal, Message.Fetch.class)).as("not before the ack").isEmpty();
    List<Action> ack = h.receive(new Message.Ack(h.replicaId(), 1, List.of()));
    assertThat(of(ack, Action.Rejected.class)).hasSize(1);
    List<Message.Fetch> fetches = sent(ack, Message.Fetch.class);
    assertThat(fetches).hasSize(1);
    Message.Fetch fetch = fetches.get(0);
    assertThat(fetch.space()).isEqualTo(ALICE);
    assertThat(fetch.docs()).containsExactly(new MessageParts.DocName("profiles", "me"));
    return fetch;
  }

  /** The server's state: "theirs", with the refused dot 1 covered by the context-only entry. */
  private Document serverState() {
    Document state = remote(1, "me", "theirs").delta().document().copy();
    state.context().add(h.replicaId(), 1);
    return state;
  }

  private Optional<String> read(String field) {
    return h.store
        .read(ME)
        .flatMap(d -> d.get(List.of(field)))
        .flatMap(v -> ((dev.converge.core.crdt.RegisterValue) v).value())
        .map(com.fasterxml.jackson.databind.JsonNode::asText);
  }

  @Test
  void refusedOverwrite_fetchesTheDocument_andItsDocsRestoreTheServersValue_keepingUnackedWrites() {
    Message.Fetch fetch = overwriteRefused();

    List<Action> applied =
        h.receive(
            new Message.Docs(
                fetch.ref(),
                ALICE,
                3,
                List.of(new MessageParts.SnapshotDoc("profiles", "me", serverState()))));

    assertThat(read("name")).as("the server's value again").contains("theirs");
    assertThat(read("note")).as("the unacked write joined again").contains("kept");
    assertThat(of(applied, Action.DocumentsChanged.class))
        .containsExactly(new Action.DocumentsChanged(List.of(ME), ChangeSource.REMOTE));
    assertThat(h.store.rereadSpaces()).isEmpty();
    assertThat(h.store.pendingCount()).isEqualTo(1);
    assertThat(sent(applied, Message.Fetch.class)).as("nothing left to re-read").isEmpty();
  }

  @Test
  void docsOfAnUnknownRef_areIgnored_andTheReReadStaysPending() {
    Message.Fetch fetch = overwriteRefused();

    List<Action> stale =
        h.receive(
            new Message.Docs(
                fetch.ref() + 100,
                ALICE,
                3,
                List.of(new MessageParts.SnapshotDoc("profiles", "me", serverState()))));

    assertThat(of(stale, Action.DocumentsChanged.class)).isEmpty();
    assertThat(read("name")).contains("mine");
    assertThat(h.store.pendingRereads(ALICE, 10)).containsExactly(ME);
  }

  @Test
  void sessionLostBeforeTheDocs_fetchesAgainOnTheNextSession_andTheOldAnswerIsIgnored() {
    Message.Fetch first = overwriteRefused();
    h.step(new Event.Closed(CloseCode.GOING_AWAY.code(), "going away"));
    h.fire(new Timer.Reconnect());

    List<Message.Fetch> again = sent(h.welcome(), Message.Fetch.class);
    assertThat(again).hasSize(1);
    assertThat(again.get(0).docs()).isEqualTo(first.docs());
    assertThat(again.get(0).ref()).isNotEqualTo(first.ref());
    h.receive(
        new Message.Docs(
            first.ref(),
            ALICE,
            3,
            List.of(new MessageParts.SnapshotDoc("profiles", "me", serverState()))));
    assertThat(read("name")).as("an answer to the lost session's fetch").contains("mine");

    h.receive(
        new Message.Docs(
            again.get(0).ref(),
            ALICE,
            3,
            List.of(new MessageParts.SnapshotDoc("profiles", "me", serverState()))));
    assertThat(read("name")).contains("theirs");
  }

  @Test
  void restartBeforeTheDocs_fetchesAgainFromTheStore() {
    overwriteRefused();
    h.close();
    h = new MachineHarness(dir).perChange();

    List<Message.Fetch> again = sent(h.connect(), Message.Fetch.class);

    assertThat(again).singleElement().satisfies(f -> assertThat(f.docs()).hasSize(1));
  }

  @Test
  void fetchTooLarge_retriesOneDocumentAtATime_andALoneDocumentTooLargeIsDroppedVisibly() {
    h.connect();
    h.write(ALICE, "a", "1");
    h.write(ALICE, "b", "2");
    h.step(new Event.LocalWrite());
    h.receive(new Message.Error(ErrorCode.CONTEXT_FORGED, "refused", 1L));
    h.receive(new Message.Error(ErrorCode.CONTEXT_FORGED, "refused", 2L));
    Message.Fetch both =
        sent(h.receive(new Message.Ack(h.replicaId(), 2, List.of())), Message.Fetch.class).get(0);
    assertThat(both.docs()).hasSize(2);

    List<Action> split =
        h.receive(new Message.Error(ErrorCode.FETCH_TOO_LARGE, "too big", both.ref()));
    Message.Fetch one = sent(split, Message.Fetch.class).get(0);
    assertThat(one.docs()).containsExactly(new MessageParts.DocName("profiles", "a"));
    assertThat(h.store.pendingCount()).as("no push was failed by it").isZero();

    List<Action> dropped =
        h.receive(new Message.Error(ErrorCode.FETCH_TOO_LARGE, "too big", one.ref()));
    assertThat(h.machine.status().lastError()).isEqualTo(ErrorCode.FETCH_TOO_LARGE.wire());
    assertThat(sent(dropped, Message.Fetch.class))
        .singleElement()
        .satisfies(
            f -> assertThat(f.docs()).containsExactly(new MessageParts.DocName("profiles", "b")));
    assertThat(h.store.pendingRereads(ALICE, 10))
        .containsExactly(new DocumentKey(ALICE, "profiles", "b"));
  }
}
