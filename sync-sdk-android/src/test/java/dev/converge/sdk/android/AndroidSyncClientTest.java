package dev.converge.sdk.android;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.converge.sdk.CollectionDocument;
import dev.converge.sdk.Query;
import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.UnsentChanges;
import java.io.File;
import java.time.Duration;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.annotation.Config;
import org.robolectric.annotation.SQLiteMode;

/** The client as an Android app builds it: the builder's database opener on Android's SQLite. */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 35, manifest = Config.NONE)
@SQLiteMode(SQLiteMode.Mode.NATIVE)
public class AndroidSyncClientTest {

  @Rule public TemporaryFolder temp = new TemporaryFolder();

  @Test
  public void aClientOnAndroidSqlite_keepsItsOfflineWritesAcrossRestarts() throws Exception {
    File file = new File(temp.getRoot(), "databases/converge.db");
    String replica;
    try (SyncClient client =
        SyncClient.builder().database(AndroidSqlDatabase.opener(file)).build()) {
      replica = client.replicaId();
      client.cart("user:alice", "main").add("apple", 2);
      client.cart("user:alice", "main").add("pear", 1);
      // The status is refreshed by the client's sync thread, after the commit.
      await().atMost(Duration.ofSeconds(10)).until(() -> client.status().pendingChanges() == 2);
    }
    // The client closed its database: the file opens again, with the same replica and outbox.
    try (SyncClient client =
        SyncClient.builder().database(AndroidSqlDatabase.opener(file)).build()) {
      assertThat(client.replicaId()).isEqualTo(replica);
      assertThat(client.cart("user:alice", "main").items())
          .containsEntry("apple", 2L)
          .containsEntry("pear", 1L);
      await().atMost(Duration.ofSeconds(10)).until(() -> client.status().pendingChanges() == 2);
    }
  }

  @Test
  public void collectionsAndLogout_workOnAndroidSqlite_andLogoutLeavesNoFile() throws Exception {
    File file = new File(temp.getRoot(), "databases/logout.db");
    try (SyncClient client =
        SyncClient.builder().database(AndroidSqlDatabase.opener(file)).build()) {
      client.cart("team:1", "a").add("apple", 2);
      client.cart("team:1", "b").add("pear", 1);
      client.profile("team:1", "p").set("name", "Ada");
      assertThat(client.collection("team:1", "carts").ids(null, 10)).containsExactly("a", "b");
      assertThat(client.collection("team:1", "profiles").query(Query.whereEquals("name", "Ada")))
          .extracting(CollectionDocument::docId)
          .containsExactly("p");
      assertThat(file).exists();
      List<RejectedChange> handedBack = client.clearLocalData(UnsentChanges.DISCARD);
      assertThat(handedBack).hasSize(3);
    }
    for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
      assertThat(new File(file.getPath() + suffix)).doesNotExist();
    }
  }
}
