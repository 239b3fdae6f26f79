package dev.converge.sdk.internal.store;

import static dev.converge.sdk.internal.store.SqliteStoreTest.CODEC;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Profile;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.DocumentKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's hybrid clock stays within physical time + the max offset, whatever it receives or
 * finds on disk.
 */
class StoreClockTest {

  static final long NOW = 1_764_600_000_000L;
  static final Duration OFFSET = Duration.ofHours(24);
  static final DocumentKey ME = new DocumentKey("user:alice", "profiles", "me");

  @TempDir Path dir;

  SqliteStore open(Path file) {
    return SqliteStore.open(file, CODEC, () -> NOW, false, OFFSET);
  }

  static Hlc setName(SqliteStore store, String name) {
    return Hlc.parse(
        store
            .writeLocal(
                ME,
                (doc, replica, hlc) ->
                    Profile.of(doc).set(replica, "name", TextNode.valueOf(name), hlc))
            .orElseThrow()
            .hlc());
  }

  @Test
  void aChangeAtTheLargestTimestamp_isApplied_theCursorMoves_andTheClockStaysBounded() {
    try (SqliteStore store = open(dir.resolve("s.db"))) {
      Document delta =
          Profile.of(new Document()).set("far-future", "name", TextNode.valueOf("max"), Hlc.MAX);
      store.applyChanges(
          "user:alice",
          7,
          List.of(
              new MessageParts.ChangeItem(
                  7, "profiles", "me", delta, new MessageParts.Origin("far-future", 1))));

      assertThat(store.cursor("user:alice")).isEqualTo(7);
      Hlc local = setName(store, "mine");
      assertThat(local.millis()).isLessThanOrEqualTo(NOW + OFFSET.toMillis());
      // Written after seeing the far-future value, so it wins although its stamp is smaller.
      assertThat(Profile.of(store.read(ME).orElseThrow()).get("name"))
          .contains(TextNode.valueOf("mine"));
    }
  }

  @Test
  void aClockPoisonedOnDisk_isClampedWhenTheStoreOpens() throws Exception {
    Path file = dir.resolve("s.db");
    open(file).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      st.execute("UPDATE meta SET value = '" + Hlc.MAX + "' WHERE key = 'hlc'");
    }
    try (SqliteStore store = open(file)) {
      assertThat(setName(store, "after restart")).isEqualTo(new Hlc(NOW + OFFSET.toMillis(), 1));
    }
  }
}
