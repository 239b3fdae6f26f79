package dev.converge.server.changeset;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.server.PushOutcome;
import dev.converge.server.error.SyncError;
import dev.converge.server.space.SpaceGrants;
import dev.converge.server.sync.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Concurrent pushes into one space, applied by group commit: each push gets its own answer, a
 * refused one fails alone, and everything the others pushed is applied once.
 */
@QuarkusTest
class GroupCommitTest {

  private static final int GOOD = 6;

  @Inject PushService pushes;
  @Inject GroupCommit groupCommit;

  private static Changeset changeset(String replica, long seq, String space, Document delta) {
    return new Changeset(replica, seq, space, "carts", "main", new Hlc(1_000 + seq, 0), delta);
  }

  private CompletableFuture<PushOutcome> push(String subject, String space, Changeset changeset) {
    SpaceGrants grants = new SpaceGrants(subject, new TreeSet<>(List.of(space)));
    return pushes.push(grants, List.of(changeset)).subscribeAsCompletionStage();
  }

  /** The quantity at {@code path} of the document at {@code url}, read over REST. */
  private static long qty(String token, String url, String path) {
    Number qty =
        given().auth().oauth2(token).when().get(url).then().statusCode(200).extract().path(path);
    return qty.longValue();
  }

  @Test
  void concurrentPushes_shareBatches_eachGetsItsOwnAnswer() throws Exception {
    String owner = TestTokens.subject("gc");
    String space = "team:" + owner;
    long batchesBefore = groupCommit.batches();
    long failedBefore = groupCommit.failedBatches();
    List<String> replicas = new ArrayList<>();
    List<Changeset> good = new ArrayList<>();
    List<Document> carts = new ArrayList<>();
    for (int i = 0; i < GOOD; i++) {
      String replica = "gc-" + i + "-" + owner;
      replicas.add(replica);
      carts.add(new Document());
      good.add(changeset(replica, 1, space, Cart.of(carts.get(i)).add(replica, "sku-" + i, i + 1)));
    }
    // A seq gap refuses its whole push; a dot of another replica refuses one changeset.
    Changeset gap =
        changeset("gap-" + owner, 3, space, Cart.of(new Document()).add("gap-" + owner, "x", 1));
    Changeset forged =
        changeset(
            "forger-" + owner, 1, space, Cart.of(new Document()).add(replicas.get(0), "y", 9));

    List<CompletableFuture<PushOutcome>> goodAnswers = new ArrayList<>();
    CompletableFuture<PushOutcome> gapAnswer = null;
    CompletableFuture<PushOutcome> forgedAnswer = null;
    for (int i = 0; i < GOOD; i++) {
      goodAnswers.add(push(owner, space, good.get(i)));
      if (i == 2) {
        gapAnswer = push(owner, space, gap);
        forgedAnswer = push(owner, space, forged);
      }
    }

    Set<Long> serverSeqs = new HashSet<>();
    for (int i = 0; i < GOOD; i++) {
      PushOutcome outcome = goodAnswers.get(i).get(30, TimeUnit.SECONDS);
      assertThat(outcome.replicaId()).isEqualTo(replicas.get(i));
      assertThat(outcome.refusals()).isEmpty();
      assertThat(outcome.results()).singleElement().satisfies(r -> assertThat(r.seq()).isOne());
      serverSeqs.add(outcome.results().get(0).serverSeq());
    }
    assertThat(serverSeqs).hasSize(GOOD);
    CompletableFuture<PushOutcome> refusedPush = gapAnswer;
    assertThat(
            org.assertj.core.api.Assertions.catchThrowableOfType(
                ExecutionException.class, () -> refusedPush.get(30, TimeUnit.SECONDS)))
        .cause()
        .isInstanceOfSatisfying(SyncError.class, e -> assertThat(e.code()).isEqualTo("seq_gap"));
    PushOutcome forgedOutcome = forgedAnswer.get(30, TimeUnit.SECONDS);
    assertThat(forgedOutcome.refusals())
        .singleElement()
        .satisfies(r -> assertThat(r.code()).isEqualTo("dot_forged"));

    // Fewer transactions than pushes: the pushes queued behind the first went in together.
    assertThat(groupCommit.largestBatch()).isGreaterThan(1);
    assertThat(groupCommit.batches() - batchesBefore).isLessThan(GOOD + 2);
    // The refusals were decided inside their batches, not by applying the batch push by push.
    assertThat(groupCommit.failedBatches()).isEqualTo(failedBefore);

    // A re-push after a lost ack, batched with a fresh push: the same serverSeq again, nothing
    // applied twice.
    PushOutcome first = goodAnswers.get(0).get();
    CompletableFuture<PushOutcome> again = push(owner, space, good.get(0));
    Document next = Cart.of(carts.get(1)).add(replicas.get(1), "sku-1", 100);
    CompletableFuture<PushOutcome> fresh =
        push(owner, space, changeset(replicas.get(1), 2, space, next));
    assertThat(again.get(30, TimeUnit.SECONDS).results()).isEqualTo(first.results());
    assertThat(fresh.get(30, TimeUnit.SECONDS).results())
        .singleElement()
        .satisfies(r -> assertThat(r.seq()).isEqualTo(2));

    String token = TestTokens.mint(owner, List.of(space), Duration.ofHours(1));
    for (int i = 0; i < GOOD; i++) {
      long qty =
          qty(
              token,
              "/v1/spaces/" + space + "/documents/carts/main",
              "value.items.'sku-" + i + "'.qty");
      assertThat(qty).as("sku-" + i).isEqualTo(i == 1 ? 102 : i + 1);
    }
  }

  @Test
  void aPushOfManyDocuments_joinsEachIntoItsStoredState() throws Exception {
    String owner = TestTokens.subject("gc-many");
    String space = "team:" + owner;
    String replica = "many-" + owner;
    int docs = 40;
    List<Document> carts = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      List<Changeset> batch = new ArrayList<>();
      for (int i = 0; i < docs; i++) {
        if (round == 0) {
          carts.add(new Document());
        }
        Document delta = Cart.of(carts.get(i)).add(replica, "sku", round + 1);
        batch.add(
            new Changeset(
                replica,
                round * docs + i + 1,
                space,
                "carts",
                "doc-" + i,
                new Hlc(1_000 + round * docs + i, 0),
                delta));
      }
      SpaceGrants grants = new SpaceGrants(owner, new TreeSet<>(List.of(space)));
      PushOutcome outcome =
          pushes.push(grants, batch).subscribeAsCompletionStage().get(30, TimeUnit.SECONDS);
      assertThat(outcome.refusals()).isEmpty();
      assertThat(outcome.results()).hasSize(docs);
    }
    // The second push read every document's stored state in its one statement: each holds both.
    String token = TestTokens.mint(owner, List.of(space), Duration.ofHours(1));
    for (int i = 0; i < docs; i++) {
      long qty =
          qty(token, "/v1/spaces/" + space + "/documents/carts/doc-" + i, "value.items.sku.qty");
      assertThat(qty).as("doc-" + i).isEqualTo(3);
    }
  }

  @Test
  void aPushSpanningTwoSpaces_joinsEachDocumentIntoItsStoredState() throws Exception {
    String owner = TestTokens.subject("two-spaces");
    List<String> spaceNames = List.of("team:a-" + owner, "team:b-" + owner);
    String replica = "two-" + owner;
    SpaceGrants grants = new SpaceGrants(owner, new TreeSet<>(spaceNames));
    int docs = 10;
    List<Document> carts = new ArrayList<>();
    long seq = 0;
    for (int round = 0; round < 2; round++) {
      List<Changeset> batch = new ArrayList<>();
      int at = 0;
      for (String space : spaceNames) {
        for (int i = 0; i < docs; i++, at++) {
          if (round == 0) {
            carts.add(new Document());
          }
          seq++;
          batch.add(
              new Changeset(
                  replica,
                  seq,
                  space,
                  "carts",
                  "doc-" + i,
                  new Hlc(1_000 + seq, 0),
                  Cart.of(carts.get(at)).add(replica, "sku", round + 1)));
        }
      }
      PushOutcome outcome =
          pushes.push(grants, batch).subscribeAsCompletionStage().get(30, TimeUnit.SECONDS);
      assertThat(outcome.refusals()).isEmpty();
      assertThat(outcome.results()).hasSize(2 * docs);
    }
    String token = TestTokens.mint(owner, spaceNames, Duration.ofHours(1));
    for (String space : spaceNames) {
      for (int i = 0; i < docs; i++) {
        long qty =
            qty(token, "/v1/spaces/" + space + "/documents/carts/doc-" + i, "value.items.sku.qty");
        assertThat(qty).as(space + " doc-" + i).isEqualTo(3);
      }
    }
  }
}
