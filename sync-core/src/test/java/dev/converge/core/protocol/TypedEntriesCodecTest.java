package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol-2 encoding of a name holding several types, a superset of protocol 1's. */
class TypedEntriesCodecTest {

  private final ProtocolCodec codec = new ProtocolCodec();

  @Test
  void nameHoldingTwoTypes_encodesAsAnArrayInTypeOrder_andDecodesBack() {
    Document doc = new Document();
    doc.join(new Document().addToCounter("b", List.of("x"), 3));
    doc.join(new Document().writeRegister("a", List.of("x"), TextNode.valueOf("v"), new Hlc(5, 0)));
    String encoded = codec.encodeDocument(doc);
    assertThat(encoded)
        .isEqualTo(
            "{\"s\":{\"x\":[{\"t\":\"reg\",\"e\":[[\"a\",1,\"5:0\",\"v\"]]},"
                + "{\"t\":\"ctr\",\"e\":[[\"b\",1,3]]}]},\"c\":{\"a\":[1],\"b\":[1]}}");
    assertThat(codec.decodeDocument(encoded)).isEqualTo(doc);
  }

  @Test
  void nameHoldingOneType_keepsTheProtocol1Form() {
    Document doc = new Document().addToCounter("b", List.of("x"), 3);
    assertThat(codec.encodeDocument(doc))
        .isEqualTo("{\"s\":{\"x\":{\"t\":\"ctr\",\"e\":[[\"b\",1,3]]}},\"c\":{\"b\":[1]}}");
  }

  @Test
  void arrayOfOneType_orOneTypeTwice_isRefusedWithThePath() {
    assertThatThrownBy(
            () ->
                codec.decodeDocument(
                    "{\"s\":{\"x\":[{\"t\":\"ctr\",\"e\":[[\"b\",1,3]]}]},\"c\":{\"b\":[1]}}"))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("$.s.x")
        .hasMessageContaining("at least two types");
    assertThatThrownBy(
            () ->
                codec.decodeDocument(
                    "{\"s\":{\"x\":[{\"t\":\"ctr\",\"e\":[[\"b\",1,3]]},"
                        + "{\"t\":\"ctr\",\"e\":[[\"b\",2,3]]}]},\"c\":{\"b\":[2]}}"))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("appears twice");
  }
}
