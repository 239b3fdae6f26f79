package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.trust.DeltaVerifier;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The join of a run of unsent deltas passes the server's trust boundary wherever its parts would,
 * and means what applying the parts in turn means.
 */
class RunJoinTest {

  private static final String PHONE = "phone";
  private final DeltaVerifier verifier = new DeltaVerifier(1L << 31);

  @Test
  void anAddThenARemoveOfTheSameItem_joined_isNoContextForgery_andStillRemovesTheSeenItem() {
    // The server holds the seed item, written by another replica.
    Document server = new Document();
    server.join(Cart.of(new Document()).add("seed", "apple", 1));
    Document local = server.copy();
    List<Document> run = new ArrayList<>();
    run.add(Cart.of(local).add(PHONE, "apple", 2));
    run.add(Cart.of(local).remove("apple"));

    Document plain = new Document();
    run.forEach(plain::join);
    Optional<Violation> plainVerdict = verifier.verify(server, plain, Lineage.of(PHONE));
    assertThat(plainVerdict)
        .as("the plain join claims a dot the server never saw")
        .hasValueSatisfying(v -> assertThat(v.code()).isEqualTo(ErrorCode.CONTEXT_FORGED));

    Document joined = RunJoin.of(run);

    assertThat(verifier.verify(server, joined, Lineage.of(PHONE))).isEmpty();
    Document applied = server.copy();
    applied.join(joined);
    assertThat(Cart.of(applied).items()).isEqualTo(Cart.of(local).items());
    assertThat(Cart.of(applied).items()).isEmpty();
  }

  @Test
  void aRunWhoseDotsAllSurvive_isThePlainJoin() {
    Document local = new Document();
    List<Document> run =
        List.of(Cart.of(local).add(PHONE, "apple", 1), Cart.of(local).add(PHONE, "apple", 2));
    Document plain = new Document();
    run.forEach(plain::join);

    assertThat(RunJoin.of(run)).isEqualTo(plain);
    assertThat(verifier.verify(new Document(), RunJoin.of(run), Lineage.of(PHONE))).isEmpty();
  }
}
