package dev.converge.core.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.RandomMutations;
import dev.converge.core.protocol.ProtocolCodec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Digests are functions of state alone, and the incremental tree equals the recomputed one. */
class DigestPropertiesTest {

  private static final int EXAMPLES = 200;
  private final ProtocolCodec codec = new ProtocolCodec();

  /** Deltas of three replicas editing one document, each applied on its own copy. */
  private static List<Document> deltas(Random random) {
    List<Document> replicas = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      replicas.add(new Document());
    }
    List<Document> deltas = new ArrayList<>();
    int steps = 1 + random.nextInt(25);
    for (int step = 0; step < steps; step++) {
      int r = random.nextInt(3);
      Document delta =
          RandomMutations.apply(replicas.get(r), "r" + r, random, new Hlc(1000 + step, 0));
      deltas.add(delta);
      if (random.nextInt(4) == 0) {
        // gossip: another replica sees this delta, so later writes cover it
        replicas.get(random.nextInt(3)).join(delta);
      }
    }
    return deltas;
  }

  @Test
  void sameState_sameDigest_whateverOrderTheDeltasWereJoinedIn() {
    qt().withExamples(EXAMPLES)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random random = new Random(seed);
              List<Document> deltas = deltas(random);
              Document inOrder = new Document();
              deltas.forEach(inOrder::join);
              List<Document> shuffled = new ArrayList<>(deltas);
              Collections.shuffle(shuffled, random);
              Document otherOrder = new Document();
              shuffled.forEach(otherOrder::join);
              // Joined twice over: idempotence must not show in the digest either.
              shuffled.subList(0, shuffled.size() / 2).forEach(otherOrder::join);
              assertThat(DocDigest.of(otherOrder, codec)).isEqualTo(DocDigest.of(inOrder, codec));
              // And a digest is of the state: decoding and re-encoding changes nothing.
              Document decoded = codec.decodeDocument(codec.encodeDocument(inOrder));
              assertThat(DocDigest.of(decoded, codec)).isEqualTo(DocDigest.of(inOrder, codec));
            });
  }

  @Test
  void differentStates_differentDigests() {
    Document a = new Document();
    a.join(a.addToSet("r1", List.of("tags"), "x"));
    Document b = a.copy();
    b.join(b.addToSet("r1", List.of("tags"), "y"));
    assertThat(DocDigest.of(a, codec)).isNotEqualTo(DocDigest.of(b, codec));
    assertThat(DocDigest.of(new Document(), codec)).isNull();
  }

  @Test
  void incrementalTree_equalsTheTreeRecomputedFromTheFinalStates() {
    qt().withExamples(50)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random random = new Random(seed);
              SpaceDigest incremental = new SpaceDigest();
              Map<String, Document> docs = new HashMap<>();
              Map<String, DocDigest> current = new HashMap<>();
              for (int step = 0; step < 200; step++) {
                String id = "d" + random.nextInt(40);
                Document doc = docs.computeIfAbsent(id, k -> new Document());
                doc.join(RandomMutations.apply(doc, "r1", random, new Hlc(step + 1, 0)));
                DocDigest after = DocDigest.of(doc, codec);
                incremental.replace("c", id, current.get(id), after);
                if (after == null) {
                  current.remove(id);
                } else {
                  current.put(id, after);
                }
              }
              SpaceDigest recomputed = new SpaceDigest();
              docs.forEach((id, doc) -> recomputed.add("c", id, DocDigest.of(doc, codec)));
              assertThat(incremental.node("")).isEqualTo(recomputed.node(""));
              assertThat(incremental.children("")).isEqualTo(recomputed.children(""));
              String leaf = DigestTree.leafPath(DigestTree.leafOf("c", "d" + random.nextInt(40)));
              assertThat(incremental.node(leaf)).isEqualTo(recomputed.node(leaf));
              assertThat(incremental.node("").count()).isEqualTo(current.size());
            });
  }

  @Test
  void paths_leavesAndWireForms() {
    int leaf = DigestTree.leafOf("carts", "main");
    String path = DigestTree.leafPath(leaf);
    assertThat(path).hasSize(DigestTree.DEPTH);
    assertThat(DigestTree.index(path)).isEqualTo(leaf);
    assertThat(DigestTree.firstLeaf("")).isZero();
    assertThat(DigestTree.lastLeaf("")).isEqualTo(DigestTree.LEAVES - 1);
    assertThat(DigestTree.firstLeaf(path.substring(0, 1)) >> 8)
        .isEqualTo(Character.digit(path.charAt(0), 16));
    assertThat(DigestTree.isPath("abc")).isTrue();
    assertThat(DigestTree.isPath("abcd")).isFalse();
    assertThat(DigestTree.isPath("AB")).isFalse();
    NodeHash node = NodeHash.EMPTY.plus(DocDigest.ofEncoded("{\"s\":{},\"c\":{\"a\":[1]}}"));
    assertThat(NodeHash.parse(node.wire())).isEqualTo(node);
    assertThat(NodeHash.EMPTY.wire()).isEmpty();
    assertThat(NodeHash.parse("")).isEqualTo(NodeHash.EMPTY);
    assertThatThrownBy(() -> NodeHash.parse("00.1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NodeHash.parse(node.wire().replace(".1", ".01")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DocDigest.parse("ABCDEF0123456789abcdef0123456789"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void leafOfAndDigest_matchTheirDefinitionsBytewise() throws Exception {
    // Pinned values: the server's SQL backfill computes the same functions (V8__digests.sql).
    var sha = java.security.MessageDigest.getInstance("SHA-256");
    byte[] key = sha.digest("carts\nmain".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    int expected = ((key[0] & 0xff) << 4) | ((key[1] & 0xff) >> 4);
    assertThat(DigestTree.leafOf("carts", "main")).isEqualTo(expected);
    String state = "{\"s\":{},\"c\":{\"a\":[1]}}";
    byte[] hash = sha.digest(state.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      hex.append(String.format("%02x", hash[i]));
    }
    assertThat(DocDigest.ofEncoded(state).hex()).isEqualTo(hex.toString());
  }
}
