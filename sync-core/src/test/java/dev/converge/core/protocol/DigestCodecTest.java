package dev.converge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.converge.core.digest.DigestTree;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code digest} and {@code digests}: the tree's shape is checked at decoding, each refusal naming
 * its JSON path, with {@code too_large} for counts beyond the bounds and {@code invalid} otherwise.
 */
class DigestCodecTest {

  private static final String HASH = "03cbd627d1bf2d154a152487258e8889";
  private final ProtocolCodec codec = new ProtocolCodec();

  private static String inner(String path, List<String> hashes) {
    StringBuilder json =
        new StringBuilder("{\"type\":\"digest\",\"ref\":1,\"space\":\"user:a\",\"path\":\"")
            .append(path)
            .append("\",\"hashes\":[");
    for (int i = 0; i < hashes.size(); i++) {
      json.append(i == 0 ? "" : ",").append('"').append(hashes.get(i)).append('"');
    }
    return json.append("],\"docs\":[]}").toString();
  }

  private static String leaf(String path, String docs) {
    return "{\"type\":\"digest\",\"ref\":1,\"space\":\"user:a\",\"path\":\""
        + path
        + "\",\"hashes\":[],\"docs\":["
        + docs
        + "]}";
  }

  private DecodeException refused(String json) {
    DecodeException e = catchThrowableOfType(DecodeException.class, () -> codec.decode(json));
    assertThat(e).as(json).isNotNull();
    return e;
  }

  @Test
  void aWellFormedInnerNode_decodes() {
    Message m = codec.decode(inner("", Collections.nCopies(16, "")));
    assertThat(m).isInstanceOf(Message.Digest.class);
    assertThat(((Message.Digest) m).hashes()).hasSize(16);
  }

  @Test
  void pathsBeyondTheTree_orNotLowercaseHex_areInvalid() {
    for (String path : List.of("abcd", "AB", "x", "0 1")) {
      DecodeException e = refused(inner(path, Collections.nCopies(16, "")));
      assertThat(e.path()).isEqualTo("$.path");
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID);
    }
  }

  @Test
  void hashCounts_areBounded_andMatchTheNode() {
    assertThat(refused(inner("", Collections.nCopies(15, ""))).code()).isEqualTo(ErrorCode.INVALID);
    DecodeException tooMany = refused(inner("", Collections.nCopies(17, "")));
    assertThat(tooMany.code()).isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(tooMany.path()).isEqualTo("$.hashes");
    // A leaf carries documents, not hashes.
    assertThat(refused(inner("abc", Collections.nCopies(16, ""))).code())
        .isEqualTo(ErrorCode.INVALID);
  }

  @Test
  void malformedHashes_areInvalid() {
    List<String> hashes = new ArrayList<>(Collections.nCopies(16, ""));
    for (String bad : List.of(HASH, HASH + ".0", HASH + ".01", HASH.toUpperCase() + ".1", "x")) {
      hashes.set(3, bad);
      DecodeException e = refused(inner("", hashes));
      assertThat(e.path()).isEqualTo("$.hashes[3]");
    }
  }

  @Test
  void leafDocuments_mustBeInTheLeaf_once_withWellFormedHashes_withinTheBound() {
    String path = DigestTree.leafPath(DigestTree.leafOf("carts", "main"));
    String doc = "{\"collection\":\"carts\",\"docId\":\"main\",\"hash\":\"" + HASH + "\"}";
    assertThat(codec.decode(leaf(path, doc))).isInstanceOf(Message.Digest.class);
    assertThat(refused(leaf(path, doc + "," + doc)).path()).isEqualTo("$.docs[1]");
    String other = DigestTree.leafPath((DigestTree.leafOf("carts", "main") + 1) % 4096);
    assertThat(refused(leaf(other, doc)).path()).isEqualTo("$.docs[0]");
    assertThat(refused(leaf(path, doc.replace(HASH, "00"))).path()).isEqualTo("$.docs[0].hash");
    // Documents only at a leaf.
    assertThat(refused(leaf("", doc)).code()).isEqualTo(ErrorCode.INVALID);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= 1024; i++) {
      many.append(i == 0 ? "" : ",")
          .append("{\"collection\":\"c\",\"docId\":\"d")
          .append(i)
          .append("\"}");
    }
    DecodeException tooMany = refused(leaf(path, many.toString()));
    assertThat(tooMany.code()).isEqualTo(ErrorCode.TOO_LARGE);
  }
}
