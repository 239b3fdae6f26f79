package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.trust.DeltaVerifier;
import dev.converge.core.trust.Lineage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The join of a run of unsent deltas: grown while the server takes it as one changeset and applies
 * it exactly as it would the deltas one by one (same store, same context).
 */
class RunJoinTest {

  private static final String PHONE = "phone";
  private final DeltaVerifier verifier = new DeltaVerifier(1L << 31);

  @Test
  void anAddThenARemoveOfTheSameItem_endsTheRun_whereThePlainJoinWouldBeAContextForgery() {
    Document server = new Document();
    server.join(Cart.of(new Document()).add("seed", "apple", 1));
    Document local = server.copy();
    Document add = Cart.of(local).add(PHONE, "apple", 2);
    Document remove = Cart.of(local).remove("apple");
    Document plain = Document.joined(add, remove);
    assertThat(verifier.verify(server, plain, Lineage.of(PHONE)))
        .as("the plain join claims an own dot the server never saw, beyond its newest own dot")
        .hasValueSatisfying(v -> assertThat(v.code()).isEqualTo(ErrorCode.CONTEXT_FORGED));

    RunJoin run = new RunJoin();
    assertThat(run.add(add)).isTrue();
    assertThat(run.add(remove)).as("the run ends before the remove").isFalse();
    assertThat(run.joined()).isEqualTo(add);
    assertThat(run.parts()).isEqualTo(1);
  }

  @Test
  void aRunWhoseDotsSurviveOrAreCoveredByANewerOne_isThePlainJoin_andPassesTheBoundary() {
    Document local = new Document();
    List<Document> deltas =
        List.of(
            Cart.of(local).add(PHONE, "apple", 1),
            Cart.of(local).add(PHONE, "apple", 2),
            Cart.of(local).add(PHONE, "pear", 1),
            Cart.of(local).remove("apple"),
            Cart.of(local).add(PHONE, "plum", 1));
    RunJoin run = new RunJoin();
    Document plain = new Document();
    for (Document delta : deltas) {
      plain.join(delta);
      assertThat(run.add(delta)).isTrue();
    }

    assertThat(run.joined()).isEqualTo(plain);
    assertThat(verifier.verify(new Document(), run.joined(), Lineage.of(PHONE))).isEmpty();
    assertThat(Cart.of(run.joined()).items()).isEqualTo(Cart.of(local).items());
  }
}
