package dev.converge.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.StablePoint;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.ProtocolCodec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Resent changesets: a device that took a new replica id pushes again the writes it made before;
 * what the server already reflects passes as a no-op, a genuine reuse of a dot is still refused,
 * and every other rule of the trust boundary still holds.
 */
class ResentEntriesTest {

  private static final String RETIRED = "retiredReplica1";
  private static final String CURRENT = "currentReplica1";
  private static final String OTHER = "otherReplica001";
  private static final Lineage LINEAGE = new Lineage(CURRENT, Set.of(RETIRED));

  private final DeltaVerifier verifier = new DeltaVerifier(1L << 31);
  private final ProtocolCodec codec = new ProtocolCodec();

  @Test
  void resentWrite_thatAnotherDeviceOverwroteSince_passesAsANoOp_onlyWhenMarkedResent() {
    Document server = new Document();
    Document resent =
        new Document()
            .writeRegister(RETIRED, List.of("title"), TextNode.valueOf("mine"), new Hlc(1_000, 0));
    server.join(resent);
    server.join(
        server
            .copy()
            .writeRegister(OTHER, List.of("title"), TextNode.valueOf("theirs"), new Hlc(2_000, 0)));

    assertThat(verifier.verify(server, resent, LINEAGE, false))
        .map(Violation::code)
        .contains(ErrorCode.DOT_REUSED);
    assertThat(verifier.verify(server, resent, LINEAGE, true)).isEmpty();
    assertThat(codec.encodeDocument(Document.joined(server, resent)))
        .as("joining it changes nothing")
        .isEqualTo(codec.encodeDocument(server));
  }

  @Test
  void resentCartAdd_thatAnotherDeviceRemovedSince_passes_andStaysRemoved() {
    Document server = new Document();
    Document resent = Cart.of(new Document()).add(RETIRED, "tea", 2);
    server.join(resent);
    server.join(Cart.of(server.copy()).remove("tea"));

    assertThat(verifier.verify(server, resent, LINEAGE, true)).isEmpty();
    Document joined = Document.joined(server, resent);
    assertThat(Cart.of(joined).items()).isEmpty();
  }

  @Test
  void resentIncrement_thatTheServerCompactedIntoARun_passes_andIsCountedOnce() {
    Document server = new Document();
    Document device = new Document();
    Document first = device.addToCounter(RETIRED, List.of("views"), 1);
    device.addToCounter(RETIRED, List.of("views"), 1);
    Document last = device.addToCounter(RETIRED, List.of("views"), 1);
    server.join(device);
    server.compact(StablePoint.of(Map.of(RETIRED, 3L)));

    // Dot 3 keys the run now; dot 1 lies inside it.
    for (Document increment : List.of(first, last)) {
      assertThat(verifier.verify(server, increment, LINEAGE, false))
          .map(Violation::code)
          .contains(ErrorCode.DOT_REUSED);
      assertThat(verifier.verify(server, increment, LINEAGE, true)).isEmpty();
      assertThat(
              Document.joined(server, increment)
                  .get(List.of("views"), dev.converge.core.crdt.CounterValue.class))
          .hasValueSatisfying(counter -> assertThat(counter.value()).isEqualTo(3));
    }
  }

  @Test
  void resentDot_thatTheDocumentStillHoldsWithAnotherValue_isStillReused() {
    Document server = new Document();
    server.join(
        new Document()
            .writeRegister(RETIRED, List.of("title"), TextNode.valueOf("Ada"), new Hlc(1_000, 0)));
    String sameDotOtherValue =
        "{\"s\":{\"title\":{\"t\":\"reg\",\"e\":[[\""
            + RETIRED
            + "\",1,\"1000:0\",\"Eve\"]]}},\"c\":{\""
            + RETIRED
            + "\":[1]}}";
    String sameDotOtherField =
        "{\"s\":{\"note\":{\"t\":\"reg\",\"e\":[[\""
            + RETIRED
            + "\",1,\"1000:0\",\"Ada\"]]}},\"c\":{\""
            + RETIRED
            + "\":[1]}}";
    for (String delta : List.of(sameDotOtherValue, sameDotOtherField)) {
      assertThat(verifier.verify(server, codec.decodeDocument(delta), LINEAGE, true))
          .as(delta)
          .map(Violation::code)
          .contains(ErrorCode.DOT_REUSED);
    }
  }

  @Test
  void resent_keepsEveryOtherRule_forgedDotsAndForgedContexts() {
    Document server = new Document();
    Document victims = Cart.of(new Document()).add(OTHER, "coffee", 5);
    server.join(victims);
    server.join(Cart.of(server.copy()).remove("coffee"));
    // The victim's dot is seen and no longer held: resent or not, it is not the pusher's.
    assertThat(verifier.verify(server, victims, LINEAGE, true))
        .map(Violation::code)
        .contains(ErrorCode.DOT_FORGED);
    String preClaim = "{\"s\":{},\"c\":{\"" + OTHER + "\":[1000]}}";
    assertThat(verifier.verify(server, codec.decodeDocument(preClaim), LINEAGE, true))
        .map(Violation::code)
        .contains(ErrorCode.CONTEXT_FORGED);
  }

  @Test
  void resendFlag_travelsBeforeTheSpace_andDecodesStrictly() {
    Changeset resent =
        new Changeset(
            CURRENT,
            4,
            "user:alice",
            "notes",
            "n1",
            new Hlc(1_000, 0),
            Cart.of(new Document()).add(RETIRED, "tea", 1),
            4,
            true);
    String json = codec.encodeChangeset(resent);
    assertThat(json).contains("\"seq\":4,\"resend\":true,\"space\"");
    assertThat(codec.decodeChangeset(json).resend()).isTrue();
    String plain = json.replace("\"resend\":true,", "");
    assertThat(codec.decodeChangeset(plain).resend()).isFalse();
    assertThatThrownBy(() -> codec.decodeChangeset(json.replace("true", "1")))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("resend");
  }
}
