package dev.converge.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seq ranges (docs/protocol-2.md): one changeset covering the replica's seqs {@code seq..toSeq}
 * moves the replica's progress over all of them, is re-pushed idempotently only as the very same
 * range and bytes, and every forgery of a range gets its coded refusal and changes nothing.
 */
class SeqRangeRulesTest {

  private static final String ALICE = "alice";
  private static final String SPACE = "user:alice";
  private static final Set<String> GRANTS = Set.of(SPACE);
  private static final String PHONE = "phoneReplica";
  private static final String OTHER = "otherReplica";

  private final MemoryServer server = new MemoryServer();
  private final Hlc hlc = new Hlc(1_764_065_400_000L, 0);
  private final Document phoneCart = new Document();

  /** The join of {@code n} adds made on the phone, as the SDK joins unsent outbox rows. */
  private Document joinedAdds(String... skus) {
    Document joined = new Document();
    for (String sku : skus) {
      joined.join(Cart.of(phoneCart).add(PHONE, sku, 1));
    }
    return joined;
  }

  private Changeset range(long seq, long toSeq, Document delta) {
    return new Changeset(PHONE, seq, SPACE, "carts", "main", hlc, delta, toSeq);
  }

  private PushRefused refused(List<Changeset> push) {
    try {
      server.push(ALICE, GRANTS, push);
    } catch (PushRefused e) {
      return e;
    }
    throw new AssertionError("the push was not refused");
  }

  /** What the forgery must leave as it was: progress, log and head. */
  private void assertUnchanged(long lastSeq, int logSize) {
    assertThat(server.replicas.get(PHONE).lastSeq()).isEqualTo(lastSeq);
    assertThat(server.log(SPACE)).hasSize(logSize);
    assertThat(server.heads.getOrDefault(SPACE, 0L)).isEqualTo((long) logSize);
  }

  @Test
  void aRange_isOneLogEntry_andMovesTheReplicaOverEverySeqItCovers() {
    PushOutcome outcome =
        server.push(ALICE, GRANTS, List.of(range(1, 3, joinedAdds("coffee", "tea", "milk"))));

    assertThat(outcome.ack())
        .isEqualTo(new Message.Ack(PHONE, 3, List.of(new MessageParts.AckResult(1, 1))));
    assertThat(server.replicas.get(PHONE).lastSeq()).isEqualTo(3);
    assertThat(server.log(SPACE))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.seq()).isEqualTo(1);
              assertThat(e.toSeq()).isEqualTo(3);
            });
    assertThat(Cart.of(server.document(SPACE, "carts", "main")).items())
        .containsOnlyKeys("coffee", "tea", "milk");
    // The next seq continues after the range.
    PushOutcome next = server.push(ALICE, GRANTS, List.of(range(4, 4, joinedAdds("jam"))));
    assertThat(next.results()).containsExactly(new MessageParts.AckResult(4, 2));
  }

  @Test
  void aRangeRePushedAfterALostAck_byteIdentical_isAckedAgain_andChangesNothing() {
    Changeset sent = range(1, 3, joinedAdds("coffee", "tea", "milk"));
    server.push(ALICE, GRANTS, List.of(sent));
    String state = server.states(SPACE).values().iterator().next();
    ProtocolCodec codec = server.codec();
    Changeset retried = codec.decodeChangeset(codec.encodeChangeset(sent));

    PushOutcome again =
        server.push(ALICE, GRANTS, List.of(retried, range(4, 5, joinedAdds("jam"))));

    assertThat(again.results())
        .containsExactly(new MessageParts.AckResult(1, 1), new MessageParts.AckResult(4, 2));
    assertThat(again.upToSeq()).isEqualTo(5);
    assertThat(server.log(SPACE)).hasSize(2);
    assertThat(server.log(SPACE).get(0).deltaJson()).isEqualTo(codec.encodeDocument(sent.delta()));
    assertThat(state).isNotNull();
  }

  @Test
  void aRangeRePushedWithOtherBytes_isASeqRegression() {
    server.push(ALICE, GRANTS, List.of(range(1, 3, joinedAdds("coffee", "tea", "milk"))));

    PushRefused e = refused(List.of(range(1, 3, joinedAdds("coffee", "tea", "bread"))));

    assertThat(e.code()).isEqualTo(ErrorCode.SEQ_REGRESSION);
    assertThat(e.ref()).isEqualTo(1L);
    assertUnchanged(3, 1);
  }

  @Test
  void aConsumedRangeReCut_shorterOrFromInside_isASeqRegression() {
    Document delta = joinedAdds("coffee", "tea", "milk");
    server.push(ALICE, GRANTS, List.of(range(1, 3, delta)));

    assertThat(refused(List.of(range(1, 2, delta))).code())
        .as("same start, another end")
        .isEqualTo(ErrorCode.SEQ_REGRESSION);
    assertThat(refused(List.of(range(2, 3, delta))).code())
        .as("a sub-range from inside the consumed one")
        .isEqualTo(ErrorCode.SEQ_REGRESSION);
    assertThat(refused(List.of(range(2, 5, delta))).code())
        .as("straddling the consumed seqs")
        .isEqualTo(ErrorCode.SEQ_REGRESSION);
    assertUnchanged(3, 1);
  }

  @Test
  void overlappingRangesInOnePush_areASeqRegression() {
    PushRefused e =
        refused(
            List.of(
                range(1, 3, joinedAdds("coffee", "tea", "milk")),
                range(3, 4, joinedAdds("jam", "bread"))));

    assertThat(e.code()).isEqualTo(ErrorCode.SEQ_REGRESSION);
    assertThat(server.replicas).doesNotContainKey(PHONE);
    assertThat(server.log(SPACE)).isEmpty();
  }

  @Test
  void toSeqBelowSeq_andARangeBeyondTheBound_areInvalid() {
    PushRefused below = refused(List.of(range(3, 2, joinedAdds("coffee"))));
    assertThat(below.code()).isEqualTo(ErrorCode.INVALID);
    assertThat(below.getMessage()).contains("toSeq 2 is below seq 3");

    PushRefused wide = refused(List.of(range(1, Changeset.MAX_RANGE + 1, joinedAdds("coffee"))));
    assertThat(wide.code()).isEqualTo(ErrorCode.INVALID);
    assertThat(wide.getMessage()).contains("covers more than " + Changeset.MAX_RANGE);

    // The bound itself is accepted.
    PushOutcome widest =
        server.push(ALICE, GRANTS, List.of(range(1, Changeset.MAX_RANGE, joinedAdds("coffee"))));
    assertThat(widest.upToSeq()).isEqualTo(Changeset.MAX_RANGE);
  }

  @Test
  void aGapAfterARange_isASeqGap() {
    server.push(ALICE, GRANTS, List.of(range(1, 3, joinedAdds("coffee", "tea", "milk"))));

    PushRefused e = refused(List.of(range(5, 6, joinedAdds("jam"))));

    assertThat(e.code()).isEqualTo(ErrorCode.SEQ_GAP);
    assertThat(e.getMessage()).contains("skips 4");
    assertUnchanged(3, 1);
  }

  @Test
  void aRangeCarryingAnotherReplicasDots_isDotForged_consumedOverItsWholeRange() {
    Document forged = joinedAdds("coffee", "tea");
    forged.join(Cart.of(new Document()).add(OTHER, "caviar", 9));

    PushOutcome outcome = server.push(ALICE, GRANTS, List.of(range(1, 2, forged)));

    assertThat(outcome.refusals()).extracting(Refusal::code).containsExactly("dot_forged");
    assertThat(outcome.refusals().get(0).seq()).isEqualTo(1);
    assertThat(outcome.upToSeq()).isEqualTo(2);
    assertThat(server.replicas.get(PHONE).lastSeq()).isEqualTo(2);
    assertThat(Cart.of(server.document(SPACE, "carts", "main")).items()).isEmpty();
    // The refused range re-pushed as it was gets the same refusal; with other bytes, a regression.
    PushOutcome again = server.push(ALICE, GRANTS, List.of(range(1, 2, forged)));
    assertThat(again.refusals()).extracting(Refusal::code).containsExactly("dot_forged");
    assertThat(refused(List.of(range(1, 2, joinedAdds("tea")))).code())
        .isEqualTo(ErrorCode.SEQ_REGRESSION);
  }

  @Test
  void theWire_carriesToSeqOnlyForARange() {
    ProtocolCodec codec = server.codec();
    Changeset one = range(7, 7, joinedAdds("coffee"));
    Changeset many = range(7, 9, joinedAdds("tea"));

    assertThat(codec.encodeChangeset(one)).doesNotContain("toSeq");
    assertThat(codec.encodeChangeset(many)).contains("\"seq\":7,\"toSeq\":9,");
    assertThat(codec.decodeChangeset(codec.encodeChangeset(many))).isEqualTo(many);
    assertThat(codec.decodeChangeset(codec.encodeChangeset(one)).toSeq()).isEqualTo(7);
  }
}
