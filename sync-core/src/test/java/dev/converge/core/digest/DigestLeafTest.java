package dev.converge.core.digest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The leaf answer of the digest exchange, as the server and the simulation both give it. */
class DigestLeafTest {

  private static final DocDigest A = DocDigest.ofEncoded("{\"s\":{\"a\":1},\"c\":{}}");
  private static final DocDigest B = DocDigest.ofEncoded("{\"s\":{\"b\":1},\"c\":{}}");

  private static MessageParts.DocName name(String id) {
    return new MessageParts.DocName("c", id);
  }

  private static Message.Digest digest(List<MessageParts.DigestDoc> docs) {
    return new Message.Digest(7, "team:t", DigestTree.leafPath(3), List.of(), docs);
  }

  @Test
  void differing_namesStoredOnesTheDeviceHoldsOtherwise_andOnesOnlyTheDeviceHolds() {
    Map<MessageParts.DocName, DocDigest> stored = new LinkedHashMap<>();
    stored.put(name("a"), A);
    stored.put(name("b"), B);
    stored.put(name("d"), A);
    Message.Digest digest =
        digest(
            List.of(
                new MessageParts.DigestDoc("c", "a", A.hex()),
                new MessageParts.DigestDoc("c", "b", A.hex()),
                new MessageParts.DigestDoc("c", "c", B.hex())));
    List<MessageParts.DocName> differing = DigestLeaf.differing(digest, stored);
    assertThat(differing).containsExactly(name("b"), name("c"), name("d"));
    Message.Digests answer = DigestLeaf.answer(digest, stored, differing);
    assertThat(answer.ref()).isEqualTo(7);
    assertThat(answer.more()).isFalse();
    assertThat(answer.docs())
        .containsExactly(
            new MessageParts.DigestDoc("c", "b", B.hex()),
            new MessageParts.DigestDoc("c", "c", null),
            new MessageParts.DigestDoc("c", "d", A.hex()));
  }

  @Test
  void aLeafCutAtTheBound_comparesTheDevicesNamesOnlyUpToTheLastOneRead() {
    Map<MessageParts.DocName, DocDigest> stored = new LinkedHashMap<>();
    for (int i = 0; i <= DigestTree.MAX_LEAF_DOCS; i++) {
      stored.put(name(String.format("d%05d", i)), A);
    }
    List<MessageParts.DigestDoc> device = new ArrayList<>();
    device.add(new MessageParts.DigestDoc("c", "d00000", B.hex()));
    device.add(new MessageParts.DigestDoc("c", "d00000x", A.hex()));
    device.add(new MessageParts.DigestDoc("c", "zzz", A.hex()));
    Message.Digest digest = digest(device);
    List<MessageParts.DocName> differing = DigestLeaf.differing(digest, stored);
    // Every stored one but d00000 is unknown to the device; "zzz" lies past the cut.
    assertThat(differing).hasSize(DigestTree.MAX_LEAF_DOCS + 2).doesNotContain(name("zzz"));
    Message.Digests answer = DigestLeaf.answer(digest, stored, differing);
    assertThat(answer.docs()).hasSize(DigestTree.MAX_LEAF_DOCS);
    assertThat(answer.more()).isTrue();
  }

  @Test
  void aLeafAtExactlyTheBound_isNotCut() {
    Map<MessageParts.DocName, DocDigest> stored = new LinkedHashMap<>();
    for (int i = 0; i < DigestTree.MAX_LEAF_DOCS; i++) {
      stored.put(name(String.format("d%05d", i)), A);
    }
    List<MessageParts.DigestDoc> device = new ArrayList<>();
    stored.forEach(
        (n, d) -> device.add(new MessageParts.DigestDoc(n.collection(), n.docId(), d.hex())));
    device.add(new MessageParts.DigestDoc("c", "zzz", A.hex()));
    Message.Digest digest = digest(device);
    List<MessageParts.DocName> differing = DigestLeaf.differing(digest, stored);
    assertThat(differing).containsExactly(name("zzz"));
    assertThat(DigestLeaf.answer(digest, stored, differing).more()).isFalse();
  }
}
