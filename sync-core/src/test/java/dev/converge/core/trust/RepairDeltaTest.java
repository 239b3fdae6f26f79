package dev.converge.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.RandomMutations;
import dev.converge.core.protocol.ProtocolCodec;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The repair delta of a digest exchange: it gives the server back exactly the device's own writes
 * the server lost, passes the trust boundary, removes nothing in the default scope, and never
 * carries another replica's dots.
 */
class RepairDeltaTest {

  private static final String ME = "deviceReplica01";
  private static final String OLD_ME = "deviceReplica00";
  private static final String OTHER = "otherReplica001";
  private final DeltaVerifier verifier = new DeltaVerifier(1L << 31);
  private final ProtocolCodec codec = new ProtocolCodec();
  private final Lineage lineage = new Lineage(ME, Set.of(OLD_ME));

  private static Document write(Document doc, String replica, String field, String value, int t) {
    return doc.writeRegister(replica, List.of(field), TextNode.valueOf(value), new Hlc(t, 0));
  }

  @Test
  void ownWritesTheServerLost_comeBack_andNothingElse() {
    Document server = new Document();
    write(server, OTHER, "title", "theirs", 1);
    Document local = server.copy();
    write(local, ME, "name", "mine", 2);
    write(local, OLD_ME, "city", "old id", 3);

    Document repair = RepairDelta.of(local, server, lineage, RepairDelta.Scope.OWN_WRITES);

    assertThat(verifier.verify(server, repair, lineage)).isEmpty();
    Document repaired = Document.joined(server, repair);
    assertThat(codec.encodeDocument(repaired)).isEqualTo(codec.encodeDocument(local));
    assertThat(RepairDelta.foreignMissing(local, server, lineage)).isEmpty();
  }

  @Test
  void aLocallyDroppedEntry_isNotRemovedOnTheServer_inTheDefaultScope() {
    Document server = new Document();
    write(server, ME, "name", "mine", 1);
    write(server, OTHER, "title", "theirs", 2);
    // A damaged file: both entries gone from the store, their dots still in the context.
    Document local = server.copy();
    local.remove(List.of("name"));
    local.remove(List.of("title"));

    Document repair = RepairDelta.of(local, server, lineage, RepairDelta.Scope.OWN_WRITES);
    assertThat(repair.isEmpty()).isTrue();
    assertThat(Document.joined(server, repair)).isEqualTo(server);
  }

  @Test
  void withRemoves_aRemoveTheServerLost_isPushedWithinTheTrustRule() {
    Document server = new Document();
    write(server, OTHER, "title", "theirs", 1);
    Document local = server.copy();
    local.remove(List.of("title"));
    write(local, ME, "name", "mine", 2);

    Document repair = RepairDelta.of(local, server, lineage, RepairDelta.Scope.WITH_REMOVES);
    assertThat(verifier.verify(server, repair, lineage)).isEmpty();
    assertThat(codec.encodeDocument(Document.joined(server, repair)))
        .isEqualTo(codec.encodeDocument(local));
  }

  @Test
  void withRemoves_entriesBothHold_stayOnTheServer() {
    Document server = new Document();
    write(server, OTHER, "title", "theirs", 1);
    write(server, ME, "name", "mine", 2);
    Document local = server.copy();
    write(local, ME, "city", "new", 3);

    Document repair = RepairDelta.of(local, server, lineage, RepairDelta.Scope.WITH_REMOVES);
    assertThat(verifier.verify(server, repair, lineage)).isEmpty();
    assertThat(codec.encodeDocument(Document.joined(server, repair)))
        .isEqualTo(codec.encodeDocument(local));
  }

  @Test
  void othersWritesTheServerNeverHad_areReported_neverPushed() {
    Document server = new Document();
    Document local = new Document();
    write(local, OTHER, "title", "forged?", 1);

    Document repair = RepairDelta.of(local, server, lineage, RepairDelta.Scope.OWN_WRITES);
    assertThat(repair.isEmpty()).isTrue();
    assertThat(RepairDelta.foreignMissing(local, server, lineage))
        .containsExactly(new Dot(OTHER, 1));
  }

  @Test
  void anyHistory_repairPassesTheTrustBoundary_andCarriesOnlyOwnDots() {
    qt().withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random random = new Random(seed);
              Document server = new Document();
              Document local = new Document();
              String[] ids = {ME, OLD_ME, OTHER};
              for (int step = 0; step < 30; step++) {
                String replica = ids[random.nextInt(3)];
                Document delta =
                    RandomMutations.apply(local, replica, random, new Hlc(step + 1, 0));
                // The server saw some of the deltas (the others were lost with its backup).
                if (random.nextInt(3) > 0) {
                  server.join(delta);
                }
              }
              for (RepairDelta.Scope scope : RepairDelta.Scope.values()) {
                Document repair = RepairDelta.of(local, server, lineage, scope);
                assertThat(verifier.verify(server, repair, lineage)).as(scope.name()).isEmpty();
                repair.root().forEachDot(dot -> assertThat(lineage.owns(dot.replica())).isTrue());
                Document repaired = Document.joined(server, repair);
                // Every own entry the device holds is on the server after the repair.
                local
                    .root()
                    .forEachDot(
                        dot -> {
                          if (lineage.owns(dot.replica())) {
                            assertThat(repaired.context().contains(dot)).isTrue();
                          }
                        });
                // It removed nothing the server held (OWN_WRITES), or only what the device
                // removed (WITH_REMOVES): every entry both hold stays.
                java.util.Set<Dot> localDots = new java.util.HashSet<>(local.root().dots());
                server
                    .root()
                    .forEachDot(
                        dot -> {
                          if (scope == RepairDelta.Scope.OWN_WRITES || localDots.contains(dot)) {
                            assertThat(repaired.root().dots()).as("%s kept", dot).contains(dot);
                          }
                        });
              }
            });
  }
}
