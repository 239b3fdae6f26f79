package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.StablePoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire form of counter runs: an additive fourth-element form of a {@code ctr} entry. */
class CounterRunCodecTest {

  private static final List<String> QTY = List.of("qty");
  private final ProtocolCodec codec = new ProtocolCodec();

  @Test
  void run_encodesAsReplicaFirstLastSum_nextToSingleIncrements_andDecodesBack() {
    Document doc = new Document();
    doc.addToCounter("a", QTY, 4);
    doc.addToCounter("a", List.of("other"), 1);
    doc.addToCounter("a", QTY, 5);
    doc.addToCounter("b", QTY, -2);
    doc.compact(StablePoint.of(java.util.Map.of("a", 3L)));

    String json = codec.encodeDocument(doc);

    assertThat(json)
        .isEqualTo(
            "{\"s\":{\"other\":{\"t\":\"ctr\",\"e\":[[\"a\",2,1]]},"
                + "\"qty\":{\"t\":\"ctr\",\"e\":[[\"a\",1,3,9],[\"b\",1,-2]]}},"
                + "\"c\":{\"a\":[3],\"b\":[1]}}");
    Document decoded = codec.decodeDocument(json);
    assertThat(decoded).isEqualTo(doc);
    assertThat(codec.encodeDocument(decoded)).isEqualTo(json);
    assertThat(decoded.get(QTY, CounterValue.class).orElseThrow().value()).isEqualTo(7);
  }

  @Test
  void runAtItsBound_decodes_forInputAndStoredData() {
    long bound = 3 * CounterValue.MAX_INCREMENT;
    String json =
        "{\"s\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\"a\",1,3," + bound + "]]}},\"c\":{\"a\":[3]}}";
    for (ProtocolCodec reader : List.of(codec, codec.forStoredData())) {
      CounterValue counter = reader.decodeDocument(json).get(QTY, CounterValue.class).orElseThrow();
      assertThat(counter.entries().values()).containsExactly(CounterEntry.run("a", 1, 3, bound));
    }
  }

  @Test
  void compactionDelta_roundTrips() {
    Document doc = new Document();
    for (int i = 0; i < 5; i++) {
      doc.addToCounter("a", QTY, 1);
    }
    Document delta = doc.compact(StablePoint.of(doc.context()));
    String json = codec.encodeDocument(delta);
    assertThat(json)
        .isEqualTo("{\"s\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\"a\",1,5,5]]}},\"c\":{\"a\":[5]}}");
    assertThat(codec.decodeDocument(json)).isEqualTo(delta);
  }
}
