package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SyncClient#batch}: several writes in one local transaction, listeners after commit. */
class BatchWriteTest {

  @TempDir Path dir;

  @Test
  void batch_commitsAllWrites_andNotifiesOncePerDocumentAfterCommit() {
    try (SyncClient client = SyncClient.builder().databasePath(dir.resolve("a.db")).build()) {
      Cart cart = client.cart("user:alice", "main");
      Profile profile = client.profile("user:alice", "me");
      List<ChangeEvent> events = new CopyOnWriteArrayList<>();
      cart.addChangeListener(events::add);
      client.batch(
          () -> {
            cart.add("apple", 1);
            cart.add("pear", 2);
            profile.set("name", "Ada");
            assertThat(cart.items()).containsOnlyKeys("apple", "pear");
          });
      assertThat(cart.totalCount()).isEqualTo(3);
      assertThat(profile.getString("name")).contains("Ada");
      await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 1);
      // The status is published from the sync thread, a moment after the commit.
      await().atMost(Duration.ofSeconds(5)).until(() -> client.status().pendingChanges() == 3);
    }
  }

  @Test
  void batchThatThrows_keepsNone_andReportsTheFailure() {
    try (SyncClient client = SyncClient.builder().databasePath(dir.resolve("b.db")).build()) {
      Cart cart = client.cart("user:alice", "main");
      cart.add("apple", 1);
      assertThatThrownBy(
              () ->
                  client.batch(
                      () -> {
                        cart.add("pear", 2);
                        throw new IllegalStateException("app failed");
                      }))
          .isInstanceOf(SyncException.class)
          .hasMessageContaining("app failed");
      assertThat(cart.items()).containsOnlyKeys("apple");
      cart.add("plum", 1);
      assertThat(cart.items()).containsOnlyKeys("apple", "plum");
    }
  }
}
