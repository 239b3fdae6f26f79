package dev.converge.core.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Encode then decode is the identity, for random states, deltas and messages carrying them. */
class CodecRoundTripTest {

  private final ProtocolCodec codec = new ProtocolCodec();

  @Test
  void encodeThenDecode_isIdentity_forStatesAndDeltas() {
    qt().withExamples(1_000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              // The compacting history puts runs and compaction deltas on the wire as well.
              for (boolean compacting : new boolean[] {false, true}) {
                RandomHistory h = new RandomHistory(seed, compacting).run(30);
                List<Document> samples = new ArrayList<>(h.states);
                h.deltas.forEach(samples::addAll);
                for (Document doc : samples) {
                  String json = codec.encodeDocument(doc);
                  Document decoded = codec.decodeDocument(json);
                  assertThat(decoded).isEqualTo(doc);
                  assertThat(codec.encodeDocument(decoded)).isEqualTo(json);
                }
              }
            });
  }

  @Test
  void encodeThenDecode_isIdentity_forMessages() {
    qt().withExamples(1_000)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              RandomHistory h = new RandomHistory(seed).run(20);
              List<Changeset> changesets = new ArrayList<>();
              List<MessageParts.ChangeItem> items = new ArrayList<>();
              long seq = 0;
              for (Document delta : h.deltas.get(0)) {
                seq++;
                changesets.add(
                    new Changeset(
                        "r0",
                        seq,
                        "user:alice",
                        "carts",
                        "main",
                        new Hlc(seed & 0xFFFFFFFFL, (int) seq),
                        delta));
                items.add(
                    new MessageParts.ChangeItem(
                        seq * 2,
                        seq % 2 == 0 ? seq : seq * 2,
                        "carts",
                        "main",
                        delta,
                        seq % 3 == 0 ? null : new MessageParts.Origin("r0", seq)));
              }
              List<Message> messages =
                  List.of(
                      new Message.Push(changesets),
                      new Message.Changes("user:alice", 0, seq * 2, items, seq % 2 == 0),
                      new Message.Snapshot(
                          "user:alice",
                          9,
                          List.of(new MessageParts.SnapshotDoc("carts", "main", h.fullJoin())),
                          true));
              for (Message message : messages) {
                String json = codec.encode(message);
                Message decoded = codec.decode(json);
                assertThat(decoded).isEqualTo(message);
                assertThat(codec.encode(decoded)).isEqualTo(json);
              }
            });
  }
}
