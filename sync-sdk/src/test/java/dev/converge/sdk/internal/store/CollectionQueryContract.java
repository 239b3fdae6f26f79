package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.policy.Profile;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.storage.SqlDatabase;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Collection reads served from SQLite, on every {@link SqlDatabase} binding: ids page by page, and
 * queries (field equals / prefix, ordered, limited) over the field index, which follows local
 * writes, remote changes, purges and the migration of an older file. Runs on sqlite-jdbc ({@code
 * JdbcCollectionQueryTest}) and on {@code android.database.sqlite} under Robolectric ({@code
 * AndroidCollectionQueryTest}). JUnit 4, as {@link StoreContract}.
 */
public abstract class CollectionQueryContract {

  private static final ProtocolCodec CODEC = new ProtocolCodec();
  private static final String SPACE = "team:1";
  private static final String TASKS = "tasks";

  @Rule public TemporaryFolder temp = new TemporaryFolder();

  /** Opens (creating if needed) the binding under test on {@code file}. */
  protected abstract SqlDatabase openDatabase(Path file) throws Exception;

  private SqliteStore open(Path file) throws Exception {
    return SqliteStore.open(
        openDatabase(file), CODEC, System::currentTimeMillis, HybridClock.DEFAULT_MAX_OFFSET);
  }

  private Path file(String name) {
    return temp.getRoot().toPath().resolve(name);
  }

  private static void set(SqliteStore store, String docId, String field, JsonNode value) {
    store.writeLocal(
        new DocumentKey(SPACE, TASKS, docId),
        (doc, replica, hlc) -> Profile.of(doc).set(replica, field, value, hlc));
  }

  private static CollectionQuery where(String field, CollectionQuery.Op op, Object value) {
    return new CollectionQuery(SPACE, TASKS, field, op, value, null, false, 100);
  }

  private static List<String> ids(List<StoredDocument> docs) {
    return docs.stream().map(d -> d.key().docId()).toList();
  }

  /** Five tasks: a..e, with a status, a title and (but for e) a rank. */
  private static void fill(SqliteStore store) {
    String[][] rows = {
      {"a", "open", "Alpha", "3"},
      {"b", "done", "Alan", "1"},
      {"c", "open", "beta", "2"},
      {"d", "open", "A_b", "5"},
      {"e", "done", "Alps", null}
    };
    for (String[] row : rows) {
      set(store, row[0], "status", TextNode.valueOf(row[1]));
      set(store, row[0], "title", TextNode.valueOf(row[2]));
      if (row[3] != null) {
        set(store, row[0], "rank", LongNode.valueOf(Long.parseLong(row[3])));
      }
    }
    set(store, "a", "urgent", BooleanNode.TRUE);
    // Another collection and another space hold the same fields: never in the results.
    store.writeLocal(
        new DocumentKey(SPACE, "notes", "a"),
        (doc, r, h) -> Profile.of(doc).set(r, "status", TextNode.valueOf("open"), h));
    store.writeLocal(
        new DocumentKey("team:2", TASKS, "z"),
        (doc, r, h) -> Profile.of(doc).set(r, "status", TextNode.valueOf("open"), h));
  }

  @Test
  public void ids_pageThroughOneCollection_inIdOrder() throws Exception {
    try (SqliteStore store = open(file("ids.db"))) {
      fill(store);
      assertThat(store.documentIds(SPACE, TASKS, null, 2)).containsExactly("a", "b");
      assertThat(store.documentIds(SPACE, TASKS, "b", 2)).containsExactly("c", "d");
      assertThat(store.documentIds(SPACE, TASKS, "d", 2)).containsExactly("e");
      assertThat(store.documentIds(SPACE, TASKS, "e", 2)).isEmpty();
      assertThat(store.documentIds("team:3", TASKS, null, 10)).isEmpty();
    }
  }

  @Test
  public void equals_onStringIntegerAndBoolean_returnsOnlyMatches_withTheirStates()
      throws Exception {
    try (SqliteStore store = open(file("eq.db"))) {
      fill(store);
      List<StoredDocument> open = store.query(where("status", CollectionQuery.Op.EQUALS, "open"));
      assertThat(ids(open)).containsExactly("a", "c", "d");
      assertThat(Profile.of(open.get(0).state()).get("title")).contains(TextNode.valueOf("Alpha"));
      assertThat(ids(store.query(where("rank", CollectionQuery.Op.EQUALS, 2L))))
          .containsExactly("c");
      assertThat(ids(store.query(where("urgent", CollectionQuery.Op.EQUALS, 1L))))
          .containsExactly("a");
      assertThat(store.query(where("status", CollectionQuery.Op.EQUALS, "Open"))).isEmpty();
      assertThat(store.query(where("nothing", CollectionQuery.Op.EQUALS, "open"))).isEmpty();
    }
  }

  @Test
  public void prefix_isExactAndCaseSensitive_withNoWildcards() throws Exception {
    try (SqliteStore store = open(file("prefix.db"))) {
      fill(store);
      assertThat(ids(store.query(where("title", CollectionQuery.Op.PREFIX, "Al"))))
          .containsExactly("a", "b", "e");
      assertThat(ids(store.query(where("title", CollectionQuery.Op.PREFIX, "Alp"))))
          .containsExactly("a", "e");
      // '_' and '%' are characters, not LIKE wildcards.
      assertThat(ids(store.query(where("title", CollectionQuery.Op.PREFIX, "A_"))))
          .containsExactly("d");
      assertThat(store.query(where("title", CollectionQuery.Op.PREFIX, "al"))).isEmpty();
      assertThat(store.query(where("title", CollectionQuery.Op.PREFIX, "A%"))).isEmpty();
    }
  }

  @Test
  public void orderByField_bothWays_missingLast_andLimit() throws Exception {
    try (SqliteStore store = open(file("order.db"))) {
      fill(store);
      CollectionQuery byRank =
          new CollectionQuery(SPACE, TASKS, null, null, null, "rank", false, 100);
      assertThat(ids(store.query(byRank))).containsExactly("b", "c", "a", "d", "e");
      CollectionQuery desc = new CollectionQuery(SPACE, TASKS, null, null, null, "rank", true, 100);
      assertThat(ids(store.query(desc))).containsExactly("d", "a", "c", "b", "e");
      CollectionQuery openByTitle =
          new CollectionQuery(
              SPACE, TASKS, "status", CollectionQuery.Op.EQUALS, "open", "title", false, 2);
      // Byte order: upper case before lower case.
      assertThat(ids(store.query(openByTitle))).containsExactly("d", "a");
      CollectionQuery byIdDesc = new CollectionQuery(SPACE, TASKS, null, null, null, null, true, 3);
      assertThat(ids(store.query(byIdDesc))).containsExactly("e", "d", "c");
    }
  }

  @Test
  public void theIndexFollowsWritesRemoteChangesAndPurges() throws Exception {
    try (SqliteStore store = open(file("follow.db"))) {
      fill(store);
      set(store, "c", "status", TextNode.valueOf("done"));
      assertThat(ids(store.query(where("status", CollectionQuery.Op.EQUALS, "open"))))
          .containsExactly("a", "d");
      Document remote =
          Profile.of(new Document())
              .set("UmVtb3RlUmVwbGljYQ", "status", TextNode.valueOf("open"), new Hlc(1, 0));
      store.applyChanges(
          SPACE,
          1,
          List.of(
              new MessageParts.ChangeItem(1, TASKS, "f", remote, new MessageParts.Origin("x", 1))));
      assertThat(ids(store.query(where("status", CollectionQuery.Op.EQUALS, "open"))))
          .containsExactly("a", "d", "f");
      store.purgeSpace(SPACE);
      assertThat(store.query(where("status", CollectionQuery.Op.EQUALS, "open"))).isEmpty();
      assertThat(store.documentIds(SPACE, TASKS, null, 10)).isEmpty();
      assertThat(
              ids(
                  store.query(
                      new CollectionQuery(
                          "team:2",
                          TASKS,
                          "status",
                          CollectionQuery.Op.EQUALS,
                          "open",
                          null,
                          false,
                          10))))
          .containsExactly("z");
    }
  }

  @Test
  public void aFileOfTheSchemaBeforeTheIndex_isIndexedWhenOpened() throws Exception {
    Path file = file("old.db");
    try (SqliteStore store = open(file)) {
      fill(store);
    }
    try (SqlDatabase db = openDatabase(file)) {
      db.begin();
      // Back to schema 4: what versions 5 (the index), 6 (the epoch), 7 (digests) and 8 (lazy
      // folding) added goes.
      db.update("DROP TABLE doc_fields");
      db.update("DROP TABLE repair_docs");
      db.update("ALTER TABLE spaces DROP COLUMN epoch");
      db.update("ALTER TABLE spaces DROP COLUMN repair");
      db.update("DROP INDEX documents_by_leaf");
      db.update("ALTER TABLE documents DROP COLUMN digest");
      db.update("ALTER TABLE documents DROP COLUMN leaf");
      db.update("DROP INDEX outbox_unfolded");
      db.update("ALTER TABLE outbox DROP COLUMN folded");
      db.setUserVersion(4);
      db.commit();
    }
    try (SqliteStore store = open(file)) {
      assertThat(ids(store.query(where("status", CollectionQuery.Op.EQUALS, "done"))))
          .containsExactly("b", "e");
    }
  }
}
