package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public collection API (ids, queries, listener) and the local side of unsubscribe and logout
 * on a real SQLite file: arguments are checked with coded errors, results hold plain Java values,
 * unsent changes are refused or handed back, and logout deletes every file of the database.
 */
class CollectionAndLogoutTest {

  private static final String SPACE = "team:1";

  @TempDir Path dir;

  private SyncClient local(String name) {
    return SyncClient.builder().databasePath(dir.resolve(name)).build();
  }

  private static void invalid(ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            SyncException.class,
            e -> assertThat(e.code()).isEqualTo(SyncException.Code.INVALID_ARGUMENT))
        .hasMessageContaining(message);
  }

  @Test
  void queryArguments_areBoundedAndChecked_withClearMessages() {
    invalid(() -> Query.all().limit(0), "limit must be within 1..1000, got 0");
    invalid(() -> Query.all().limit(Query.MAX_LIMIT + 1), "got 1001");
    invalid(() -> Query.whereEquals(null, "x"), "field is null or blank");
    invalid(() -> Query.whereEquals(" ", "x"), "field is null or blank");
    invalid(() -> Query.whereEquals("f".repeat(257), "x"), "field is longer than 256");
    invalid(() -> Query.whereEquals("f", (String) null), "value is null");
    invalid(() -> Query.whereEquals("f", "v".repeat(257)), "value is longer than 256");
    invalid(() -> Query.whereStartsWith("f", ""), "prefix is empty");
    invalid(() -> Query.all().orderBy(""), "field is null or blank");
    try (SyncClient client = local("args.db")) {
      invalid(() -> client.collection(SPACE, " "), "collection is null or blank");
      invalid(() -> client.collection(SPACE, "tasks").ids(null, 0), "limit must be within");
      invalid(() -> client.collection(SPACE, "tasks").query(null), "query is null");
      invalid(() -> client.subscribe(""), "space is null or blank");
      invalid(() -> client.unsubscribe(SPACE, null), "unsent is null");
    }
  }

  @Test
  void collection_listsIdsAndQueries_withPlainValues_andItsListenerHearsWrites() {
    try (SyncClient client = local("c.db")) {
      Schema schema =
          Schema.builder()
              .field("title", FieldPolicy.REGISTER_LWW)
              .field("done", FieldPolicy.REGISTER_LWW)
              .field("votes", FieldPolicy.COUNTER)
              .build();
      DocumentCollection tasks = client.collection(SPACE, "tasks");
      List<ChangeEvent> events = new CopyOnWriteArrayList<>();
      tasks.addChangeListener(events::add);
      for (String id : List.of("t1", "t2", "t3")) {
        DocumentHandle doc = client.document(SPACE, "tasks", id, schema);
        doc.set("title", "Task " + id);
        doc.set("done", id.equals("t2"));
        doc.increment("votes", id.length() + Integer.parseInt(id.substring(1)));
      }
      client.profile(SPACE, "elsewhere").set("title", "Task x");
      // t1: votes 3, t2: 4, t3: 5.

      assertThat(tasks.ids(null, 2)).containsExactly("t1", "t2");
      assertThat(tasks.ids("t2", 2)).containsExactly("t3");
      List<CollectionDocument> done = tasks.query(Query.whereEquals("done", true));
      assertThat(done).extracting(CollectionDocument::docId).containsExactly("t2");
      assertThat(done.get(0).fields())
          .containsExactly(
              Map.entry("done", true), Map.entry("title", "Task t2"), Map.entry("votes", 4L));
      assertThat(done.get(0).string("title")).contains("Task t2");
      assertThat(done.get(0).integer("votes")).hasValue(4L);
      assertThat(tasks.query(Query.whereStartsWith("title", "Task").orderBy("votes").descending()))
          .extracting(CollectionDocument::docId)
          .containsExactly("t3", "t2", "t1");
      assertThat(tasks.documents()).hasSize(3);
      await().atMost(Duration.ofSeconds(5)).until(() -> events.size() >= 9);
      assertThat(events).allSatisfy(e -> assertThat(e.key().collection()).isEqualTo("tasks"));
    }
  }

  @Test
  void unsubscribe_refusesUnsentChanges_orDiscardsThemAsRejected_andPurgesTheSpace() {
    try (SyncClient client = local("u.db")) {
      client.subscribe(SPACE);
      client.cart(SPACE, "shared").add("tea", 1);
      client.cart("user:me", "mine").add("milk", 1);
      assertThatThrownBy(() -> client.unsubscribe(SPACE))
          .isInstanceOfSatisfying(
              SyncException.class,
              e -> assertThat(e.code()).isEqualTo(SyncException.Code.UNSENT_CHANGES));
      assertThat(client.cart(SPACE, "shared").items()).containsEntry("tea", 1L);

      client.unsubscribe(SPACE, UnsentChanges.DISCARD);
      assertThat(client.cart(SPACE, "shared").items()).isEmpty();
      assertThat(client.collection(SPACE, "carts").ids(null, 10)).isEmpty();
      assertThat(client.rejectedChanges())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.code()).isEqualTo("unsubscribed");
                assertThat(r.reason()).isEqualTo(RejectionReason.UNSUBSCRIBED);
              });
      // Another space is untouched.
      assertThat(client.cart("user:me", "mine").items()).containsEntry("milk", 1L);
      assertThat(client.status().spaces()).doesNotContainKey(SPACE);
    }
  }

  @Test
  void clearLocalData_deletesTheFileAndItsSideFiles_andClosesTheClient() throws Exception {
    Path file = dir.resolve("logout.db");
    SyncClient client = local("logout.db");
    client.cart(SPACE, "shared").add("tea", 1);
    assertThat(file).exists();
    Supplier<Boolean> walExists = () -> Files.exists(Path.of(file + "-wal"));
    assertThat(walExists.get()).as("WAL mode keeps a -wal file while open").isTrue();
    assertThatThrownBy(client::clearLocalData)
        .isInstanceOfSatisfying(
            SyncException.class,
            e -> assertThat(e.code()).isEqualTo(SyncException.Code.UNSENT_CHANGES));
    assertThat(file).exists();

    List<RejectedChange> handedBack = client.clearLocalData(UnsentChanges.DISCARD);
    assertThat(handedBack).extracting(RejectedChange::code).containsExactly("unsubscribed");
    for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
      assertThat(Path.of(file + suffix)).doesNotExist();
    }
    assertThat(client.status().connection()).isEqualTo(ConnectionState.CLOSED);
    assertThatThrownBy(() -> client.cart(SPACE, "shared").items())
        .isInstanceOfSatisfying(
            SyncException.class, e -> assertThat(e.code()).isEqualTo(SyncException.Code.CLOSED));

    // The next user starts afresh on the same path: a new replica, nothing of the last one.
    try (SyncClient next = local("logout.db")) {
      assertThat(next.cart(SPACE, "shared").items()).isEmpty();
      assertThat(next.rejectedChanges()).isEmpty();
    }
  }

  @Test
  void aClientBuiltWithAServer_staysDisconnected_untilConnect() {
    try (SyncClient client =
        SyncClient.builder()
            .databasePath(dir.resolve("d.db"))
            .serverUri(java.net.URI.create("ws://127.0.0.1:9/v1/sync"))
            .tokenSupplier(() -> "token")
            .build()) {
      assertThat(client.status().connection()).isEqualTo(ConnectionState.DISCONNECTED);
      client.cart(SPACE, "shared").add("tea", 1);
      assertThat(client.cart(SPACE, "shared").items()).containsEntry("tea", 1L);
      client.connect();
      // Read at once: connect() returns once the engine has taken it (an app showing the status
      // right after connecting must not see "disconnected").
      assertThat(client.status().connection()).isNotEqualTo(ConnectionState.DISCONNECTED);
      client.disconnect();
      assertThat(client.status().connection()).isEqualTo(ConnectionState.DISCONNECTED);
    }
  }
}
