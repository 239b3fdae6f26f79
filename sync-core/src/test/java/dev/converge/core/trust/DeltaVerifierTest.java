package dev.converge.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.MapValue;
import dev.converge.core.crdt.StablePoint;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.ProtocolCodec;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The trust boundary: every forgery class of a hostile member is refused with its code, and every
 * delta an honest device produces passes (property over random offline histories with re-keys).
 */
class DeltaVerifierTest {

  private static final String VICTIM = "victimReplica01";
  private static final String MALLORY = "malloryReplica1";
  private final DeltaVerifier verifier = new DeltaVerifier(1L << 31);
  private final ProtocolCodec codec = new ProtocolCodec();

  /**
   * A server document holding the victim's cart add of 5 coffees (dot victim:1) and a name
   * (victim:2).
   */
  private Document victimsDocument() {
    Document doc = new Document();
    Cart.of(doc).add(VICTIM, "coffee", 5);
    doc.writeRegister(VICTIM, List.of("name"), TextNode.valueOf("Ada"), new Hlc(1_000, 0));
    return doc;
  }

  private Optional<Violation> verify(Document stored, String deltaJson, Lineage lineage) {
    return verifier.verify(stored, codec.decodeDocument(deltaJson), lineage);
  }

  @Test
  void contextClaimingTheVictimsFutureDots_isContextForged() {
    Optional<Violation> v =
        verify(
            victimsDocument(), "{\"s\":{},\"c\":{\"" + VICTIM + "\":[1000]}}", Lineage.of(MALLORY));
    assertThat(v).map(Violation::code).contains(ErrorCode.CONTEXT_FORGED);
    assertThat(v.get().message()).contains(VICTIM);
  }

  @Test
  void contextPreClaimingAReplicaNobodyUsedYet_isContextForged() {
    assertThat(
            verify(
                victimsDocument(),
                "{\"s\":{},\"c\":{\"futureDevice001\":[1]}}",
                Lineage.of(MALLORY)))
        .map(Violation::code)
        .contains(ErrorCode.CONTEXT_FORGED);
  }

  @Test
  void removeOfWhatTheServerHolds_passes_evenIfTheEntryWasAlreadyDropped() {
    Document stored = victimsDocument();
    // A first remove already dropped the item: its dot stays in the context, so a concurrent remove
    // passes.
    stored.join(codec.decodeDocument("{\"s\":{},\"c\":{\"" + VICTIM + "\":[1]}}"));
    assertThat(verify(stored, "{\"s\":{},\"c\":{\"" + VICTIM + "\":[1]}}", Lineage.of(MALLORY)))
        .isEmpty();
  }

  @Test
  void storeEntryCarryingAnotherReplicasDot_isDotForged() {
    String forged =
        "{\"s\":{\"items\":{\"t\":\"map\",\"e\":{\"coffee\":{\"t\":\"map\",\"e\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\""
            + VICTIM
            + "\",3,1000]]}}}}}},\"c\":{\""
            + VICTIM
            + "\":[0,3]}}";
    assertThat(verify(victimsDocument(), forged, Lineage.of(MALLORY)))
        .map(Violation::code)
        .contains(ErrorCode.DOT_FORGED);
  }

  @Test
  void ownDotAlreadySeenWithOtherContent_isDotReused_butAnIdenticalOneIsHarmless() {
    Document stored = victimsDocument();
    String reused =
        "{\"s\":{\"name\":{\"t\":\"reg\",\"e\":[[\""
            + VICTIM
            + "\",2,\"1000:0\",\"Eve\"]]}},\"c\":{\""
            + VICTIM
            + "\":[2]}}";
    assertThat(verify(stored, reused, Lineage.of(VICTIM)))
        .map(Violation::code)
        .contains(ErrorCode.DOT_REUSED);
    String same =
        "{\"s\":{\"name\":{\"t\":\"reg\",\"e\":[[\""
            + VICTIM
            + "\",2,\"1000:0\",\"Ada\"]]}},\"c\":{\""
            + VICTIM
            + "\":[2]}}";
    assertThat(verify(stored, same, Lineage.of(VICTIM))).isEmpty();
  }

  @Test
  void ownContextBeyondTheNewestOwnDot_isContextForged() {
    Document stored = victimsDocument();
    String ahead =
        "{\"s\":{\"name\":{\"t\":\"reg\",\"e\":[[\""
            + VICTIM
            + "\",3,\"2000:0\",\"Bo\"]]}},\"c\":{\""
            + VICTIM
            + "\":[9]}}";
    assertThat(verify(stored, ahead, Lineage.of(VICTIM)))
        .map(Violation::code)
        .contains(ErrorCode.CONTEXT_FORGED);
  }

  @Test
  void incrementBeyondTheBound_isOutOfRange_andTheBoundItselfPasses() {
    Document stored = new Document();
    Document atBound = new Document().addToCounter(MALLORY, List.of("views"), 1L << 31);
    assertThat(verifier.verify(stored, atBound, Lineage.of(MALLORY))).isEmpty();
    String beyond =
        "{\"s\":{\"views\":{\"t\":\"ctr\",\"e\":[[\""
            + MALLORY
            + "\",1,9007199254740991]]}},\"c\":{\""
            + MALLORY
            + "\":[1]}}";
    assertThat(verify(stored, beyond, Lineage.of(MALLORY)))
        .map(Violation::code)
        .contains(ErrorCode.OUT_OF_RANGE);
  }

  @Test
  void pushedRun_ofOwnNewDots_passesWithinItsBound_andIsRefusedBeyondIt() {
    Document stored = victimsDocument();
    // 1,000 increments of 2^31 at most: what 1,000 single increments could carry.
    String atBound = run(MALLORY, 1, 1000, 1000L << 31, "[1000]");
    assertThat(verify(stored, atBound, Lineage.of(MALLORY))).isEmpty();
    // Under a configured bound of 100 per increment, 10 dots carry at most 1,000.
    DeltaVerifier bounded = new DeltaVerifier(100);
    assertThat(
            bounded.verify(
                stored,
                codec.decodeDocument(run(MALLORY, 1, 10, -1000, "[10]")),
                Lineage.of(MALLORY)))
        .isEmpty();
    Optional<Violation> beyond =
        bounded.verify(
            stored, codec.decodeDocument(run(MALLORY, 1, 10, 1001, "[10]")), Lineage.of(MALLORY));
    assertThat(beyond).map(Violation::code).contains(ErrorCode.OUT_OF_RANGE);
    assertThat(beyond.get().message()).contains("'views'").contains("10 dots");
    // A run the server itself holds may come back unchanged: joining it changes nothing.
    Document compacted = new Document();
    compacted.addToCounter(MALLORY, List.of("views"), 1);
    compacted.addToCounter(MALLORY, List.of("views"), 1);
    compacted.compact(StablePoint.of(compacted.context()));
    assertThat(verifier.verify(compacted, compacted.copy(), Lineage.of(MALLORY))).isEmpty();
  }

  @Test
  void pushedRun_ofAnotherReplica_isDotForged() {
    assertThat(verify(victimsDocument(), run(VICTIM, 3, 9, 7, "[9]"), Lineage.of(MALLORY)))
        .map(Violation::code)
        .contains(ErrorCode.DOT_FORGED);
  }

  @Test
  void pushedRun_whoseContextMissesPartOfItsRange_isInvalid() {
    // The context lacks dot 2: the stored increment there would survive and be counted twice.
    Optional<Violation> v =
        verify(new Document(), run(MALLORY, 1, 3, 3, "[0,1,3]"), Lineage.of(MALLORY));
    assertThat(v).map(Violation::code).contains(ErrorCode.INVALID);
    assertThat(v.get().message()).contains("counted twice");
  }

  @Test
  void pushedRun_thatCutsAStoredRun_isOutOfRange_andOneThatReplacesWholeEntries_passes() {
    Document stored = new Document();
    for (int i = 0; i < 4; i++) {
      stored.addToCounter(MALLORY, List.of("views"), 1);
    }
    // The server compacted dots 1-3 into one run; dot 4 stays a single increment.
    stored.compact(StablePoint.of(java.util.Map.of(MALLORY, 3L)));
    Optional<Violation> cut = verify(stored, run(MALLORY, 2, 6, 5, "[6]"), Lineage.of(MALLORY));
    assertThat(cut).map(Violation::code).contains(ErrorCode.OUT_OF_RANGE);
    assertThat(cut.get().message()).contains("cuts the entry");
    String whole = run(MALLORY, 1, 6, 6, "[6]");
    assertThat(verify(stored, whole, Lineage.of(MALLORY))).isEmpty();
    Document joined = Document.joined(stored, codec.decodeDocument(whole));
    assertThat(joined.get(List.of("views"), dev.converge.core.crdt.CounterValue.class))
        .hasValueSatisfying(counter -> assertThat(counter.value()).isEqualTo(6));
  }

  /** A delta holding one counter run at {@code views}, with the given context of the replica. */
  private static String run(String replica, long first, long last, long sum, String context) {
    return "{\"s\":{\"views\":{\"t\":\"ctr\",\"e\":[[\""
        + replica
        + "\","
        + first
        + ","
        + last
        + ","
        + sum
        + "]]}},\"c\":{\""
        + replica
        + "\":"
        + context
        + "}}";
  }

  @Test
  void removeOfACompactedCounter_andIncrementsNextToARun_pass() {
    Document stored = new Document();
    for (int i = 0; i < 3; i++) {
      Cart.of(stored).add(VICTIM, "coffee", 1);
    }
    stored.compact(StablePoint.of(stored.context()));
    Document device = stored.copy();
    assertThat(
            verifier.verify(
                stored, device.copy().remove(List.of("items", "coffee")), Lineage.of(MALLORY)))
        .isEmpty();
    assertThat(
            verifier.verify(stored, Cart.of(device).add(MALLORY, "coffee", 2), Lineage.of(MALLORY)))
        .isEmpty();
  }

  @Test
  void predecessorDots_passOnlyForTheDeclaredLineage() {
    Document delta = new Document().addToCounter("oldReplicaId001", List.of("views"), 1);
    assertThat(verifier.verify(new Document(), delta, Lineage.of("newReplicaId001")))
        .map(Violation::code)
        .contains(ErrorCode.DOT_FORGED);
    assertThat(
            verifier.verify(
                new Document(), delta, new Lineage("newReplicaId001", Set.of("oldReplicaId001"))))
        .isEmpty();
  }

  @Test
  void refusedDots_holdOnlyThePushersNewDots_andRemoveNothingTheServerHeld() {
    Document stored = victimsDocument();
    Document local = stored.copy();
    Document delta =
        local.writeRegister(VICTIM, List.of("name"), TextNode.valueOf("Bo"), new Hlc(2_000, 0));
    Document leftover = RefusedDots.of(stored, delta, Lineage.of(VICTIM));
    assertThat(leftover.root().isEmpty()).isTrue();
    assertThat(leftover.context()).isEqualTo(CausalContext.of(List.of(new Dot(VICTIM, 3))));
    Document after = stored.copy();
    after.join(leftover);
    assertThat(after.root()).isEqualTo(stored.root());
    // The pusher's device, joining the leftover, drops the refused value. (What the refused write
    // superseded locally comes back only from the server's state: the SDK re-reads the document.)
    local.join(leftover);
    assertThat(local.toJson().has("name")).isFalse();
    assertThat(local.context()).isEqualTo(after.context());
  }

  @Test
  void refusedDots_ofAForgedFarContext_areBoundedAndNeverOthers() {
    Document delta =
        codec.decodeDocument(
            "{\"s\":{\"v\":{\"t\":\"ctr\",\"e\":[[\""
                + MALLORY
                + "\",900000000,1]]}},\"c\":{\""
                + MALLORY
                + "\":[900000000],\""
                + VICTIM
                + "\":[50]}}");
    Document leftover = RefusedDots.of(victimsDocument(), delta, Lineage.of(MALLORY));
    assertThat(leftover.context().replicas()).doesNotContain(VICTIM);
    assertThat(leftover.context().size()).isLessThanOrEqualTo(RefusedDots.MAX_DOTS_PER_REPLICA);
    assertThat(leftover.root()).isEqualTo(new MapValue());
  }

  @Test
  void everyDeltaOfHonestDevices_passes_andAllConverge() {
    qt().withExamples(500)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              HonestDevices run = new HonestDevices(seed).run(60);
              assertThat(run.refusals).as("seed " + seed).isEmpty();
              for (HonestDevices.Device device : run.devices) {
                assertThat(device.state).as("seed " + seed).isEqualTo(run.server);
              }
            });
  }
}
