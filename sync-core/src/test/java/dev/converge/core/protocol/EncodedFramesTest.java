package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames written from already encoded documents are byte for byte the frozen fixtures of the equal
 * messages: one vocabulary, one layout, whichever form the documents are in.
 */
class EncodedFramesTest {

  private final ProtocolCodec codec = new ProtocolCodec();

  @Test
  void changesWithEncodedDeltas_encodeExactlyAsTheFixture() throws IOException {
    Message.Changes changes = (Message.Changes) WireFixturesTest.examples().get("changes");
    Message.Changes encoded =
        new Message.Changes(
            changes.space(),
            changes.from(),
            changes.to(),
            changes.items().stream()
                .map(
                    i ->
                        new MessageParts.ChangeItem(
                            i.serverSeq(),
                            i.fromSeq(),
                            i.collection(),
                            i.docId(),
                            Payload.text(codec.encodeDocument(i.delta().document())),
                            i.origin()))
                .toList(),
            changes.more());

    assertThat(codec.encode(encoded))
        .isEqualTo(WireFixturesTest.fixture("changes"))
        .isEqualTo(codec.encode(changes));
  }

  @Test
  void snapshotWithEncodedStates_encodesExactlyAsTheFixture() throws IOException {
    Message.Snapshot snapshot = (Message.Snapshot) WireFixturesTest.examples().get("snapshot");
    Message.Snapshot encoded =
        new Message.Snapshot(
            snapshot.space(),
            snapshot.head(),
            snapshot.docs().stream()
                .map(
                    d ->
                        new MessageParts.SnapshotDoc(
                            d.collection(),
                            d.docId(),
                            Payload.text(codec.encodeDocument(d.state().document()))))
                .toList(),
            snapshot.more());

    assertThat(codec.encode(encoded)).isEqualTo(WireFixturesTest.fixture("snapshot"));
  }

  @Test
  void docsWithEncodedStates_encodesExactlyAsTheFixture() throws IOException {
    Message.Docs docs = (Message.Docs) WireFixturesTest.examples().get("docs");
    Message.Docs encoded =
        new Message.Docs(
            docs.ref(),
            docs.space(),
            docs.head(),
            docs.docs().stream()
                .map(
                    d ->
                        new MessageParts.SnapshotDoc(
                            d.collection(),
                            d.docId(),
                            Payload.text(codec.encodeDocument(d.state().document()))))
                .toList());

    assertThat(codec.encode(encoded)).isEqualTo(WireFixturesTest.fixture("docs"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"push", "push-stable"})
  void pushOfEncodedChangesets_encodesExactlyAsTheFixture(String name) throws IOException {
    Message.Push push = (Message.Push) WireFixturesTest.examples().get(name);
    Encoded.Push encoded =
        new Encoded.Push(push.changesets().stream().map(this::spliced).toList(), push.stable());

    assertThat(codec.encode(encoded)).isEqualTo(WireFixturesTest.fixture(name));
    assertThat(codec.decode(codec.encode(encoded))).isEqualTo(push);
  }

  @Test
  void changesetWithEncodedDelta_isTheChangesetsOwnEncoding() {
    Changeset c = ((Message.Push) WireFixturesTest.examples().get("push")).changesets().get(0);

    assertThat(spliced(c)).isEqualTo(codec.encodeChangeset(c));
  }

  /** The changeset written with its delta encoded first and spliced in. */
  private String spliced(Changeset c) {
    return codec.encodeChangeset(c.header(), codec.encodeDocument(c.delta()));
  }

  @Test
  void emptyPages_keepTheirMoreFlag() {
    assertThat(codec.encode(new Message.Changes("s", 3, 3, java.util.List.of(), true)))
        .isEqualTo(
            "{\"type\":\"changes\",\"space\":\"s\",\"from\":3,\"to\":3,\"items\":[],\"more\":true}");
    assertThat(codec.encode(new Message.Snapshot("s", 9, java.util.List.of(), false)))
        .isEqualTo("{\"type\":\"snapshot\",\"space\":\"s\",\"head\":9,\"docs\":[],\"more\":false}");
  }

  @Test
  void encodedText_isNoDocumentAndNoPartIsOptional() {
    assertThatThrownBy(() -> Payload.text("{}").document())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Payload.text(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Payload.of(null)).isInstanceOf(NullPointerException.class);
    Changeset c = ((Message.Push) WireFixturesTest.examples().get("push")).changesets().get(0);
    assertThatThrownBy(
            () -> new Changeset.Header(c.replicaId(), c.seq(), c.space(), null, c.docId(), c.hlc()))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> codec.encodeChangeset(c.header(), null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void decodeFailures_mapToOneErrorCodeEach() {
    assertThatThrownBy(() -> codec.decode("{"))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
    assertThatThrownBy(() -> codec.decode("{\"type\":\"nope\"}"))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE));
    assertThatThrownBy(() -> codec.decode("{\"type\":\"sync\"}"))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID));
    assertThatThrownBy(
            () -> new ProtocolCodec(new CodecLimits(4, 10, 10, 5)).decode("{\"type\":\"sync\"}"))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
  }
}
