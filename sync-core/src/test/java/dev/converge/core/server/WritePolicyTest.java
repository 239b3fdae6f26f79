package dev.converge.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.policy.Profile;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.trust.Violation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a space accepts beyond the trust boundary, decided by the core without a database: read-only
 * roles, field types per collection (type squatting), document size, the space quota and a
 * deployment's check. Every refusal is consumed and leaves a context-only entry of the pusher's own
 * new dots, so its device drops the refused value.
 */
class WritePolicyTest {

  private static final String ALICE = "alice";
  private static final String TEAM = "team:1";
  private static final String PHONE = "phoneReplica";
  private static final FieldType CART = FieldType.parse("{items: map<{qty: ctr}>}");
  private static final FieldType PROFILE = FieldType.parse("{*: reg}");

  private final Hlc hlc = new Hlc(1_764_065_400_000L, 0);
  private final Document phone = new Document();

  private static WritePolicy policy(long maxDocument, long maxSpace, WriteCheck hook) {
    return new WritePolicy(
        Map.of(
            "carts", new WritePolicy.CollectionRule(CART, maxDocument),
            "profiles", new WritePolicy.CollectionRule(PROFILE, maxDocument)),
        maxDocument,
        maxSpace,
        hook);
  }

  private Changeset changeset(long seq, String collection, Document delta) {
    return new Changeset(PHONE, seq, TEAM, collection, "main", hlc, delta);
  }

  @Test
  void readOnlyMember_everyPushIsConsumedAsReadOnly_leavingOnlyItsOwnDotsInTheContext() {
    MemoryServer server = new MemoryServer();
    Changeset add = changeset(1, "carts", Cart.of(phone).add(PHONE, "coffee", 2));

    PushOutcome outcome = server.push(ALICE, Map.of(TEAM, SpaceRole.READ), List.of(add));

    assertThat(outcome.ack().upToSeq()).isEqualTo(1);
    assertThat(outcome.results()).isEmpty();
    assertThat(outcome.refusals())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo("read_only");
              assertThat(r.seq()).isEqualTo(1);
            });
    Document stored = server.document(TEAM, "carts", "main");
    assertThat(Cart.of(stored).items()).isEmpty();
    assertThat(stored.context().contains(PHONE, 1)).isTrue();
    assertThat(server.log(TEAM))
        .singleElement()
        .satisfies(e -> assertThat(e.deltaJson()).startsWith("{\"s\":{}"));
    // The same member may write where it has the write role.
    Changeset own =
        new Changeset(
            PHONE,
            2,
            "user:alice",
            "carts",
            "main",
            hlc,
            Cart.of(new Document()).add(PHONE, "tea", 1));
    PushOutcome second =
        server.push(
            ALICE, Map.of(TEAM, SpaceRole.READ, "user:alice", SpaceRole.WRITE), List.of(own));
    assertThat(second.refusals()).isEmpty();
    assertThat(second.results()).hasSize(1);
  }

  @Test
  void typeSquatting_aRegisterWhereTheCartHoldsAMapOfCounters_isRefused() {
    MemoryServer server = new MemoryServer(policy(1 << 20, Long.MAX_VALUE, WriteCheck.NONE));
    Document squat = phone.writeRegister(PHONE, List.of("items"), TextNode.valueOf("mine"), hlc);
    Document qtyAsRegister =
        phone.writeRegister(PHONE, List.of("items", "tea", "qty"), TextNode.valueOf("9"), hlc);
    Document good = Cart.of(phone).add(PHONE, "coffee", 1);

    PushOutcome outcome =
        server.push(
            ALICE,
            Map.of(TEAM, SpaceRole.WRITE),
            List.of(
                changeset(1, "carts", squat),
                changeset(2, "carts", qtyAsRegister),
                changeset(3, "carts", good)));

    assertThat(outcome.refusals())
        .extracting(Refusal::code)
        .containsExactly("write_refused", "write_refused");
    assertThat(outcome.refusals().get(0).message()).contains("items").contains("map");
    assertThat(outcome.refusals().get(1).message()).contains("items.tea.qty").contains("ctr");
    assertThat(outcome.results()).extracting(r -> r.seq()).containsExactly(3L);
    Document stored = server.document(TEAM, "carts", "main");
    assertThat(Cart.of(stored).items()).containsOnlyKeys("coffee");
    assertThat(stored.root().typesOf("items")).hasSize(1);
  }

  @Test
  void profiles_holdRegistersOnly_andOtherCollectionsAreFree() {
    MemoryServer server = new MemoryServer(policy(1 << 20, Long.MAX_VALUE, WriteCheck.NONE));
    Document name = Profile.of(phone).set(PHONE, "name", TextNode.valueOf("Ada"), hlc);
    Document counter = phone.addToCounter(PHONE, List.of("name"), 1);
    Document free = new Document().addToCounter(PHONE, List.of("anything"), 1);

    PushOutcome outcome =
        server.push(
            ALICE,
            Map.of(TEAM, SpaceRole.WRITE),
            List.of(
                changeset(1, "profiles", name),
                changeset(2, "profiles", counter),
                changeset(3, "notes", free)));

    assertThat(outcome.refusals())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.seq()).isEqualTo(2);
              assertThat(r.code()).isEqualTo("write_refused");
            });
    assertThat(outcome.results()).extracting(r -> r.seq()).containsExactly(1L, 3L);
  }

  @Test
  void documentBeyondItsMaximumSize_isRefused_atTheBound() {
    Document first =
        Profile.of(new Document()).set(PHONE, "bio", TextNode.valueOf("x".repeat(100)), hlc);
    MemoryServer probe = new MemoryServer();
    probe.push(ALICE, Map.of(TEAM, SpaceRole.WRITE), List.of(changeset(1, "profiles", first)));
    long exact = probe.storedBytes.get(TEAM);
    assertThat(exact)
        .isEqualTo(probe.codec.encodeDocument(probe.document(TEAM, "profiles", "main")).length());

    MemoryServer atBound = new MemoryServer(policy(exact, Long.MAX_VALUE, WriteCheck.NONE));
    assertThat(
            atBound
                .push(
                    ALICE, Map.of(TEAM, SpaceRole.WRITE), List.of(changeset(1, "profiles", first)))
                .refusals())
        .isEmpty();
    MemoryServer below = new MemoryServer(policy(exact - 1, Long.MAX_VALUE, WriteCheck.NONE));
    PushOutcome refused =
        below.push(ALICE, Map.of(TEAM, SpaceRole.WRITE), List.of(changeset(1, "profiles", first)));
    assertThat(refused.refusals()).extracting(Refusal::code).containsExactly("document_too_large");
    assertThat(refused.refusals().get(0).message()).contains(String.valueOf(exact));
  }

  @Test
  void spaceQuota_refusesWhatGrowsTheSpacePastIt_butAcceptsWhatShrinksIt() {
    Profile profile = Profile.of(phone);
    Document big = profile.set(PHONE, "bio", TextNode.valueOf("x".repeat(500)), hlc);
    MemoryServer server = new MemoryServer(policy(1 << 20, 700, WriteCheck.NONE));
    assertThat(
            server
                .push(ALICE, Map.of(TEAM, SpaceRole.WRITE), List.of(changeset(1, "profiles", big)))
                .refusals())
        .isEmpty();
    long stored = server.storedBytes.get(TEAM);
    assertThat(stored).isBetween(500L, 700L);

    Document more =
        Profile.of(new Document()).set(PHONE, "motto", TextNode.valueOf("y".repeat(300)), hlc);
    PushOutcome refused =
        server.push(
            ALICE,
            Map.of(TEAM, SpaceRole.WRITE),
            List.of(new Changeset(PHONE, 2, TEAM, "profiles", "other", hlc, more)));
    assertThat(refused.refusals()).extracting(Refusal::code).containsExactly("quota_exceeded");

    // An overwrite with a shorter value shrinks the space: accepted though the space is near its
    // quota, and the count follows.
    Document shorter = profile.set(PHONE, "bio", TextNode.valueOf("short"), hlc);
    PushOutcome shrink =
        server.push(
            ALICE, Map.of(TEAM, SpaceRole.WRITE), List.of(changeset(3, "profiles", shorter)));
    assertThat(shrink.refusals()).isEmpty();
    long after = server.storedBytes.get(TEAM);
    long exact =
        server.codec.encodeDocument(server.document(TEAM, "profiles", "main")).length()
            + server.codec.encodeDocument(server.document(TEAM, "profiles", "other")).length();
    assertThat(after).isEqualTo(exact).isLessThan(stored);
  }

  @Test
  void deploymentHook_seesTheSubjectTheChangesetAndTheStoredDocument_andItsRefusalIsConsumed() {
    WriteCheck onlyFiveItems =
        (subject, changeset, current) ->
            Cart.of(current).items().size() >= 1 && !subject.equals("boss")
                ? Optional.of("only one item per cart for " + subject)
                : Optional.empty();
    MemoryServer server = new MemoryServer(policy(1 << 20, Long.MAX_VALUE, onlyFiveItems));
    Cart cart = Cart.of(phone);

    PushOutcome outcome =
        server.push(
            ALICE,
            Map.of(TEAM, SpaceRole.WRITE),
            List.of(
                changeset(1, "carts", cart.add(PHONE, "coffee", 1)),
                changeset(2, "carts", cart.add(PHONE, "tea", 1))));

    assertThat(outcome.results()).extracting(r -> r.seq()).containsExactly(1L);
    assertThat(outcome.refusals())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo(ErrorCode.WRITE_REFUSED.wire());
              assertThat(r.message()).isEqualTo("only one item per cart for alice");
            });
    assertThat(Cart.of(server.document(TEAM, "carts", "main")).items()).containsOnlyKeys("coffee");
  }

  @Test
  void fieldTypes_parseTheirExpressions_andRefuseBadOnes() {
    assertThat(FieldType.parse(" { items : map< {qty:ctr} > } ")).isEqualTo(CART);
    assertThat(FieldType.parse("{\"odd name\": set, *: any}").toString())
        .isEqualTo("{odd name: set, *: any}");
    assertThat(FieldType.parse("map").toString()).isEqualTo("map");
    assertThatThrownBy(() -> FieldType.parse("{a: reg, a: ctr}")).hasMessageContaining("twice");
    assertThatThrownBy(() -> FieldType.parse("counter")).hasMessageContaining("unknown type");
    assertThatThrownBy(() -> FieldType.parse("map<reg")).hasMessageContaining("expected '>'");
    assertThatThrownBy(() -> FieldType.parse("reg reg")).hasMessageContaining("unexpected");
    assertThatThrownBy(() -> FieldType.parse("map<".repeat(17) + "reg" + ">".repeat(17)))
        .hasMessageContaining("deeper");
    FieldType.parse("map<".repeat(16) + "reg" + ">".repeat(16)); // at the bound
  }

  @Test
  void violationsName_theFieldPath() {
    Document delta =
        new Document().writeRegister(PHONE, List.of("items", "tea"), TextNode.valueOf("x"), hlc);
    Optional<Violation> v =
        policy(100, 100, WriteCheck.NONE).checkTypes(changeset(1, "carts", delta));
    assertThat(v)
        .get()
        .extracting(Violation::message)
        .asString()
        .contains("'items.tea' is written as reg")
        .contains("map");
  }
}
