package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.converge.core.crdt.Document;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Stored data is decoded with limits of its own, so a document that grew by joins stays readable.
 */
class StoredDataLimitsTest {

  private static final CodecLimits SMALL = new CodecLimits(4, 50, 100, 2_000);

  @Test
  void counterGrownPastTheInputLimits_isRefusedAsInput_butDecodesAsStoredData() {
    ProtocolCodec input = new ProtocolCodec(SMALL);
    Document counter = new Document();
    for (int i = 0; i < 200; i++) {
      // Each delta alone is far within the input limits; their join is not.
      String delta = input.encodeDocument(counter.addToCounter("phone", List.of("views"), 1));
      assertThat(input.decodeDocument(delta)).isNotNull();
    }
    String stored = input.encodeDocument(counter);

    DecodeException refused =
        catchThrowableOfType(DecodeException.class, () -> input.decodeDocument(stored));
    assertThat(refused.kind()).isEqualTo(DecodeException.Kind.LIMIT);
    assertThat(input.forStoredData().decodeDocument(stored)).isEqualTo(counter);
    assertThat(input.forStoredData().parse(stored).get("s").get("views").get("e").size())
        .isEqualTo(200);
  }

  @Test
  void storedDataCodec_encodesAsTheInputCodec_andIsShared() {
    ProtocolCodec input = new ProtocolCodec(SMALL);
    Document doc = new Document();
    doc.addToCounter("phone", List.of("views"), 3);
    assertThat(input.forStoredData().encodeDocument(doc)).isEqualTo(input.encodeDocument(doc));
    assertThat(input.forStoredData()).isSameAs(input.forStoredData());
    assertThat(input.forStoredData().forStoredData()).isSameAs(input.forStoredData());
    assertThat(input.forStoredData().limits()).isEqualTo(CodecLimits.storedData());
  }

  @Test
  void storedDataLimits_stillBoundNesting() {
    ProtocolCodec stored = new ProtocolCodec().forStoredData();
    DecodeException refused =
        catchThrowableOfType(
            DecodeException.class, () -> stored.decodeDocument(HostileInputTest.nested(300)));
    assertThat(refused.kind()).isEqualTo(DecodeException.Kind.LIMIT);
  }
}
