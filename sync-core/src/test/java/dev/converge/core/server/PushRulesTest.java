package dev.converge.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The server's push rules, driven without a database: re-push idempotence, seq gaps and
 * regressions, refusals consumed with context-only entries, forbidden spaces, re-key lineage.
 */
class PushRulesTest {

  private static final String ALICE = "alice";
  private static final String SPACE = "user:alice";
  private static final Set<String> GRANTS = Set.of(SPACE);
  private static final String PHONE = "phoneReplica";
  private static final String OTHER = "otherReplica";

  private final MemoryServer server = new MemoryServer();
  private final Hlc hlc = new Hlc(1_764_065_400_000L, 0);

  /** A device's local cart: each add returns the delta it pushes. */
  private final Document phoneCart = new Document();

  private Changeset add(long seq, String sku, long n) {
    return changeset(PHONE, seq, SPACE, Cart.of(phoneCart).add(PHONE, sku, n));
  }

  private Changeset changeset(String replica, long seq, String space, Document delta) {
    return new Changeset(replica, seq, space, "carts", "main", hlc, delta);
  }

  private static PushRefused refusal(Runnable push) {
    try {
      push.run();
    } catch (PushRefused e) {
      return e;
    }
    throw new AssertionError("the push was not refused");
  }

  @Test
  void freshChangesets_areJoinedLoggedWithCanonicalDeltasAndAcked() {
    Changeset first = add(1, "coffee", 2);
    Changeset second = add(2, "tea", 1);

    PushOutcome outcome = server.push(ALICE, GRANTS, List.of(first, second));

    assertThat(outcome.ack())
        .isEqualTo(
            new Message.Ack(
                PHONE,
                2,
                List.of(new MessageParts.AckResult(1, 1), new MessageParts.AckResult(2, 2))));
    assertThat(outcome.refusals()).isEmpty();
    assertThat(outcome.changedSpaces()).containsExactly(SPACE);
    assertThat(server.log(SPACE))
        .extracting(LogEntry::deltaJson)
        .containsExactly(
            server.codec.encodeDocument(first.delta()),
            server.codec.encodeDocument(second.delta()));
    assertThat(Cart.of(server.document(SPACE, "carts", "main")).items())
        .containsEntry("coffee", 2L)
        .containsEntry("tea", 1L);
    assertThat(server.heads).containsEntry(SPACE, 2L);
    assertThat(server.replicas.get(PHONE).lastSeq()).isEqualTo(2);
  }

  @Test
  void rePush_isAckedWithItsOriginalServerSeq_andChangesNothing() {
    Changeset first = add(1, "coffee", 2);
    server.push(ALICE, GRANTS, List.of(first));
    Changeset second = add(2, "tea", 1);

    PushOutcome again = server.push(ALICE, GRANTS, List.of(first, second));
    PushOutcome third = server.push(ALICE, GRANTS, List.of(first, second));

    assertThat(again.results())
        .containsExactly(new MessageParts.AckResult(1, 1), new MessageParts.AckResult(2, 2));
    assertThat(third.results()).isEqualTo(again.results());
    assertThat(third.changedSpaces()).isEmpty();
    assertThat(server.log(SPACE)).hasSize(2);
  }

  @Test
  void rePush_isComparedOnTheCanonicalEncoding_notOnTheTextItArrivedAs() {
    Changeset first = add(1, "coffee", 2);
    server.push(ALICE, GRANTS, List.of(first));
    // The same changeset as another sender might write it: other key order, other spacing.
    String canonical = server.codec.encodeChangeset(first);
    String reordered = canonical.replace("{\"replicaId\"", "{ \"replicaId\" ");
    Changeset decoded = server.codec.decodeChangeset(reordered);

    PushOutcome again = server.push(ALICE, GRANTS, List.of(decoded));

    assertThat(again.results()).containsExactly(new MessageParts.AckResult(1, 1));
  }

  @Test
  void rePushWithOtherContent_isASeqRegression_andChangesNothing() {
    server.push(ALICE, GRANTS, List.of(add(1, "coffee", 2)));
    Changeset impostor = changeset(PHONE, 1, SPACE, Cart.of(new Document()).add(PHONE, "tea", 9));

    PushRefused refused = refusal(() -> server.push(ALICE, GRANTS, List.of(impostor)));

    assertThat(refused.code()).isEqualTo(ErrorCode.SEQ_REGRESSION);
    assertThat(refused.ref()).isEqualTo(1L);
    assertThat(refused.getMessage()).contains("already consumed with other content");
    assertThat(server.log(SPACE)).hasSize(1);
  }

  @Test
  void rePushUnderAnotherHlc_isASeqRegression() {
    Changeset first = add(1, "coffee", 2);
    server.push(ALICE, GRANTS, List.of(first));
    Changeset later =
        new Changeset(
            PHONE, 1, SPACE, "carts", "main", new Hlc(hlc.millis() + 1, 0), first.delta());

    assertThat(refusal(() -> server.push(ALICE, GRANTS, List.of(later))).code())
        .isEqualTo(ErrorCode.SEQ_REGRESSION);
  }

  @Test
  void seqGap_refusesTheWholePush_namingWhereToPushFrom() {
    server.push(ALICE, GRANTS, List.of(add(1, "coffee", 2)));

    PushRefused refused = refusal(() -> server.push(ALICE, GRANTS, List.of(add(4, "tea", 1))));

    assertThat(refused.code()).isEqualTo(ErrorCode.SEQ_GAP);
    assertThat(refused.ref()).isEqualTo(4L);
    assertThat(refused.getMessage()).contains("skips 2..3; push from 2");
    assertThat(server.replicas.get(PHONE).lastSeq()).isEqualTo(1);
  }

  @Test
  void seqsThatDoNotIncrease_orMixedReplicas_orEmptyAndOversizedPushes_areRefusedBeforeAnyRead() {
    Changeset one = add(1, "coffee", 1);
    assertThat(refusal(() -> server.rules.checkShape(List.of(one, one))).code())
        .isEqualTo(ErrorCode.SEQ_REGRESSION);
    assertThat(
            refusal(
                    () ->
                        server.rules.checkShape(
                            List.of(one, changeset(OTHER, 2, SPACE, one.delta()))))
                .code())
        .isEqualTo(ErrorCode.INVALID);
    assertThat(refusal(() -> server.rules.checkShape(List.of())).code())
        .isEqualTo(ErrorCode.INVALID);
    List<Changeset> many = new ArrayList<>();
    for (int seq = 1; seq <= 501; seq++) {
      many.add(changeset(PHONE, seq, SPACE, one.delta()));
    }
    assertThat(refusal(() -> server.rules.checkShape(many)).code()).isEqualTo(ErrorCode.TOO_LARGE);
  }

  @Test
  void replicaIdOfAnotherSubject_isForged() {
    server.push(ALICE, GRANTS, List.of(add(1, "coffee", 2)));

    PushRefused refused =
        refusal(() -> server.push("mallory", Set.of("user:mallory"), List.of(add(2, "tea", 1))));

    assertThat(refused.code()).isEqualTo(ErrorCode.REPLICA_FORGED);
    assertThat(refused.ref()).isNull();
  }

  @Test
  void trustViolation_isConsumedWithAContextOnlyEntryOfThePushersOwnNewDots() {
    Document doc = new Document();
    Document mine = Cart.of(doc).add(PHONE, "coffee", 1);
    Document forged = Cart.of(doc).add(OTHER, "tea", 5);
    Changeset bad = changeset(PHONE, 1, SPACE, Document.joined(mine, forged));
    Changeset good = changeset(PHONE, 2, SPACE, Cart.of(doc).add(PHONE, "milk", 1));

    PushOutcome outcome = server.push(ALICE, GRANTS, List.of(bad, good));

    assertThat(outcome.refusals()).hasSize(1);
    assertThat(outcome.refusals().get(0).seq()).isEqualTo(1);
    assertThat(outcome.refusals().get(0).code()).isEqualTo(ErrorCode.DOT_FORGED.wire());
    assertThat(outcome.upToSeq()).isEqualTo(2);
    // The context-only entry takes serverSeq 1; the good changeset follows it.
    assertThat(outcome.results()).containsExactly(new MessageParts.AckResult(2, 2));
    LogEntry hole = server.log(SPACE).get(0);
    assertThat(hole.seq()).isEqualTo(1);
    assertThat(hole.deltaJson()).isEqualTo("{\"s\":{},\"c\":{\"" + PHONE + "\":[1]}}");
    assertThat(Cart.of(server.document(SPACE, "carts", "main")).items())
        .doesNotContainKeys("coffee", "tea");
  }

  @Test
  void refusedChangeset_rePushed_getsTheSameRefusal_andOtherContentUnderItsSeqIsARegression() {
    Changeset bad = changeset(PHONE, 1, SPACE, Cart.of(new Document()).add(OTHER, "tea", 5));
    PushOutcome first = server.push(ALICE, GRANTS, List.of(bad));

    PushOutcome again = server.push(ALICE, GRANTS, List.of(bad));

    assertThat(again.refusals()).isEqualTo(first.refusals());
    assertThat(again.changedSpaces()).isEmpty();
    assertThat(server.refusals).hasSize(1);
    Changeset other = add(1, "coffee", 1);
    assertThat(refusal(() -> server.push(ALICE, GRANTS, List.of(other))).code())
        .isEqualTo(ErrorCode.SEQ_REGRESSION);
  }

  @Test
  void forbiddenSpace_isConsumedWithoutALogEntry_andTheRestApplies() {
    Changeset elsewhere =
        changeset(PHONE, 1, "team:secret", Cart.of(new Document()).add(PHONE, "x", 1));
    Changeset mine = add(2, "coffee", 1);

    PushOutcome outcome = server.push(ALICE, GRANTS, List.of(elsewhere, mine));

    assertThat(outcome.refusals())
        .containsExactly(
            new Refusal(
                1,
                ErrorCode.FORBIDDEN_SPACE.wire(),
                "space 'team:secret' is not granted by this token"));
    assertThat(outcome.results()).containsExactly(new MessageParts.AckResult(2, 1));
    assertThat(server.log("team:secret")).isEmpty();
    assertThat(server.heads).doesNotContainKey("team:secret");
  }

  @Test
  void predecessorsDots_areAcceptedFromItsDeclaredSuccessorOnly() {
    String successor = "phoneReplica2";
    Document unsent = Cart.of(new Document()).add(PHONE, "coffee", 3);

    PushOutcome without =
        server.push(ALICE, GRANTS, List.of(changeset(successor, 1, SPACE, unsent)));
    assertThat(without.refusals()).extracting(Refusal::code).containsExactly("dot_forged");

    server.predecessors.put("phoneReplica3", PHONE);
    PushOutcome with =
        server.push(ALICE, GRANTS, List.of(changeset("phoneReplica3", 1, SPACE, unsent)));
    assertThat(with.refusals()).isEmpty();
    assertThat(Cart.of(server.document(SPACE, "carts", "main")).items())
        .containsEntry("coffee", 3L);
  }

  @Test
  void stampsBeyondTheClockHorizon_areCountedNotRefused() {
    Document delta = new Document();
    Hlc farFuture = new Hlc(server.clock.get() + 25L * 3600 * 1000, 0);
    delta.writeRegister(
        PHONE,
        List.of("name"),
        com.fasterxml.jackson.databind.node.TextNode.valueOf("Ada"),
        farFuture);
    Changeset stamped = new Changeset(PHONE, 1, SPACE, "profiles", "me", farFuture, delta);

    PushOutcome outcome = server.push(ALICE, GRANTS, List.of(stamped));

    assertThat(outcome.futureStamps()).isEqualTo(1);
    assertThat(outcome.results()).hasSize(1);
  }

  @Test
  void spacesAreLockedInSortedOrder_andDocumentsListedInFirstTouchedOrder() {
    Changeset b = changeset(PHONE, 1, "user:alice", Cart.of(new Document()).add(PHONE, "x", 1));
    Changeset a =
        new Changeset(
            PHONE, 2, "team:a", "carts", "z", hlc, Cart.of(new Document()).add(PHONE, "y", 1));
    Changeset a2 =
        new Changeset(
            PHONE, 3, "team:a", "carts", "b", hlc, Cart.of(new Document()).add(PHONE, "y", 1));

    PushPlan plan =
        server.rules.plan(ALICE, new Replica(PHONE, ALICE, 0), List.of(b, a, a2), s -> true);

    assertThat(plan.spaces()).containsExactly("team:a", "user:alice");
    assertThat(plan.documents("team:a"))
        .containsExactly(
            new DocumentRef("team:a", "carts", "z"), new DocumentRef("team:a", "carts", "b"));
    assertThat(plan.repeatedSeqs()).isEmpty();
    assertThatThrownBy(
            () ->
                server.rules.decide(
                    plan, server.lineageOf(PHONE), List.of(), List.of(), java.util.Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aChangeSupersedingADotRefusedAsReusedInTheSamePush_isRefusedToo_andRemovesNothing() {
    server.push(ALICE, GRANTS, List.of(add(1, "coffee", 2)));
    // A copy of the device as it was after seq 1 (a backup restored behind its back)...
    Document restored = phoneCart.copy();
    // ...while the device's discarded future used its next dot for the tea, which the server holds.
    server.push(ALICE, GRANTS, List.of(add(2, "tea", 1)));
    Changeset reuses = changeset(PHONE, 3, SPACE, Cart.of(restored).add(PHONE, "milk", 1));
    Changeset supersedes = changeset(PHONE, 4, SPACE, Cart.of(restored).remove("milk"));

    PushOutcome outcome = server.push(ALICE, GRANTS, List.of(reuses, supersedes));

    assertThat(outcome.refusals())
        .extracting(Refusal::seq, Refusal::code)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(3L, "dot_reused"),
            org.assertj.core.groups.Tuple.tuple(4L, "dot_reused"));
    assertThat(outcome.refusals().get(1).message()).contains("change 3 of this push");
    assertThat(Cart.of(server.document(SPACE, "carts", "main")).items())
        .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("coffee", 2L, "tea", 1L));
  }
}
