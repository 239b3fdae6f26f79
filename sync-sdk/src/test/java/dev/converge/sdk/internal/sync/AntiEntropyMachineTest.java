package dev.converge.sdk.internal.sync;

import static dev.converge.sdk.internal.sync.MachineHarness.ALICE;
import static dev.converge.sdk.internal.sync.MachineHarness.TEAM;
import static dev.converge.sdk.internal.sync.MachineHarness.remote;
import static dev.converge.sdk.internal.sync.MachineHarness.sent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.SpaceDigest;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-entropy in the state machine: an exchange once caught up and then every interval, none while
 * changes are pending, narrowing a difference down to a fetch whose answer repairs the document and
 * shows in the status.
 */
class AntiEntropyMachineTest {

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

  private static List<String> empty() {
    return Collections.nCopies(DigestTree.FANOUT, "");
  }

  @Test
  void caughtUpSession_exchangesEachSpace_thenAgainEveryInterval() {
    h.connect();
    List<Action> first = h.advance(0);
    List<Message.Digest> digests = sent(first, Message.Digest.class);
    assertThat(digests).hasSize(1);
    assertThat(digests.get(0).space()).isEqualTo(ALICE);
    assertThat(digests.get(0).path()).isEmpty();
    Message.Digest root = digests.get(0);
    // Equal hashes: the space is done and the next one is compared.
    List<Action> next =
        h.receive(new Message.Digests(root.ref(), ALICE, "", root.hashes(), List.of(), false));
    Message.Digest team = sent(next, Message.Digest.class).get(0);
    assertThat(team.space()).isEqualTo(TEAM);
    h.receive(new Message.Digests(team.ref(), TEAM, "", team.hashes(), List.of(), false));
    assertThat(sent(h.advance(AntiEntropy.DEFAULT_INTERVAL.toMillis() - 1), Message.Digest.class))
        .isEmpty();
    assertThat(sent(h.advance(1), Message.Digest.class)).hasSize(1);
  }

  @Test
  void pendingChanges_holdTheExchangeBack() {
    h.connect();
    h.write(ALICE, "me", "unacked");
    assertThat(sent(h.advance(5_000), Message.Digest.class)).isEmpty();
  }

  @Test
  void aDocumentTheDeviceLacks_isNarrowedDown_fetched_andRepaired() {
    h.connect();
    Message.Digest root = sent(h.advance(0), Message.Digest.class).get(0);
    assertThat(root.hashes()).isEqualTo(empty());
    // The server holds one document this device has not got.
    MessageParts.ChangeItem item = remote(1, "me", "theirs");
    Document state = item.delta().document();
    SpaceDigest server = new SpaceDigest();
    server.add(
        item.collection(),
        item.docId(),
        dev.converge.core.digest.DocDigest.of(
            state, new dev.converge.core.protocol.ProtocolCodec()));
    String path = "";
    List<Action> actions =
        h.receive(
            new Message.Digests(
                root.ref(),
                ALICE,
                path,
                SpaceDigest.wire(server.children(path)),
                List.of(),
                false));
    for (int level = 1; level < DigestTree.DEPTH; level++) {
      Message.Digest question = sent(actions, Message.Digest.class).get(0);
      actions =
          h.receive(
              new Message.Digests(
                  question.ref(),
                  ALICE,
                  question.path(),
                  SpaceDigest.wire(server.children(question.path())),
                  List.of(),
                  false));
    }
    Message.Digest leaf = sent(actions, Message.Digest.class).get(0);
    assertThat(leaf.path()).hasSize(DigestTree.DEPTH);
    assertThat(leaf.docs()).isEmpty();
    actions =
        h.receive(
            new Message.Digests(
                leaf.ref(),
                ALICE,
                leaf.path(),
                List.of(),
                List.of(
                    new MessageParts.DigestDoc(
                        item.collection(),
                        item.docId(),
                        server.node(leaf.path()).wire().substring(0, 32))),
                false));
    Message.Fetch fetch = sent(actions, Message.Fetch.class).get(0);
    assertThat(fetch.docs())
        .containsExactly(new MessageParts.DocName(item.collection(), item.docId()));
    h.receive(
        new Message.Docs(
            fetch.ref(),
            ALICE,
            1,
            List.of(new MessageParts.SnapshotDoc(item.collection(), item.docId(), state))));
    assertThat(
            h.store.read(new dev.converge.sdk.DocumentKey(ALICE, item.collection(), item.docId())))
        .contains(state);
    assertThat(h.machine.status().repairedDocuments()).isEqualTo(1);
    assertThat(h.store.pendingCount()).isZero();
  }
}
