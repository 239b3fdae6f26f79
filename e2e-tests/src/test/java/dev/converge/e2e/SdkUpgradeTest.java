package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.ReplicaIds;
import dev.converge.sdk.SyncClient;
import java.net.URI;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An SDK upgraded with a non-empty outbox loses nothing (DESIGN §7): a store file exactly as the
 * first released schema wrote it (schema 1, protocol-1 era rows; frozen here, not produced by
 * today's code) is opened by the current SDK, which delivers its rows under the current protocol.
 */
class SdkUpgradeTest {

  /**
   * Schema version 1, as its migration created it. Frozen: never edit to follow the current schema.
   */
  private static final String[] SCHEMA_V1 = {
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE documents (space TEXT NOT NULL, collection TEXT NOT NULL, doc_id TEXT NOT NULL,"
        + " state TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (space, collection, doc_id))"
        + " WITHOUT ROWID",
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY, space TEXT NOT NULL, collection TEXT NOT NULL,"
        + " doc_id TEXT NOT NULL, hlc TEXT NOT NULL, delta TEXT NOT NULL, created_at INTEGER NOT NULL)",
    "CREATE INDEX outbox_by_space ON outbox (space)",
    "CREATE TABLE rejected (id INTEGER PRIMARY KEY AUTOINCREMENT, replica_id TEXT NOT NULL,"
        + " seq INTEGER NOT NULL, space TEXT NOT NULL, collection TEXT NOT NULL, doc_id TEXT NOT NULL,"
        + " delta TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, rejected_at INTEGER NOT NULL)",
    "CREATE TABLE spaces (space TEXT PRIMARY KEY, cursor INTEGER NOT NULL DEFAULT 0,"
        + " snapshot_active INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID",
    "PRAGMA user_version = 1"
  };

  /**
   * Two cart adds and the state they made, in the encoding the version-1 SDK wrote ({@code RID}:
   * its replica id).
   */
  private static final String ADD_APPLE =
      "{\"s\":{\"items\":{\"t\":\"map\",\"e\":{\"apple\":{\"t\":\"map\",\"e\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\"RID\",1,2]]}}}}}},\"c\":{\"RID\":[1]}}";

  private static final String ADD_PEAR =
      "{\"s\":{\"items\":{\"t\":\"map\",\"e\":{\"pear\":{\"t\":\"map\",\"e\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\"RID\",2,1]]}}}}}},\"c\":{\"RID\":[0,2]}}";
  private static final String STATE =
      "{\"s\":{\"items\":{\"t\":\"map\",\"e\":{\"apple\":{\"t\":\"map\",\"e\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\"RID\",1,2]]}}},"
          + "\"pear\":{\"t\":\"map\",\"e\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\"RID\",2,1]]}}}}}},\"c\":{\"RID\":[2]}}";

  private final URI server = TestServer.uri();

  private String space;
  private Devices devices;

  @BeforeEach
  void aliceWithOneDevice() throws Exception {
    String alice = TestTokens.subject("alice");
    space = "user:" + alice;
    devices =
        new Devices(server, Files.createTempDirectory("converge-upgrade"), TestTokens.mint(alice));
  }

  @AfterEach
  void closeDevices() {
    devices.close();
  }

  @Test
  void storeWrittenBySchemaOne_withUnsentRows_deliversThemAll() throws Exception {
    String rid = ReplicaIds.random();
    long t = System.currentTimeMillis();
    String[] rows = {
      "PRAGMA journal_mode = WAL",
      meta("replica_id", rid),
      meta("next_seq", "3"),
      meta("hlc", t + ":1"),
      meta("rekeys", "0"),
      meta("created_at", Long.toString(t)),
      "INSERT INTO documents VALUES ('"
          + space
          + "', 'carts', 'main', '"
          + STATE.replace("RID", rid)
          + "', "
          + t
          + ")",
      "INSERT INTO outbox VALUES (1, '"
          + space
          + "', 'carts', 'main', '"
          + t
          + ":0', '"
          + ADD_APPLE.replace("RID", rid)
          + "', "
          + t
          + ")",
      "INSERT INTO outbox VALUES (2, '"
          + space
          + "', 'carts', 'main', '"
          + t
          + ":1', '"
          + ADD_PEAR.replace("RID", rid)
          + "', "
          + t
          + ")"
    };
    String[] all = new String[SCHEMA_V1.length + rows.length];
    System.arraycopy(SCHEMA_V1, 0, all, 0, SCHEMA_V1.length);
    System.arraycopy(rows, 0, all, SCHEMA_V1.length, rows.length);
    devices.sql("v1.db", all);

    SyncClient upgraded = devices.open("v1.db", space);
    assertThat(upgraded.status().pendingChanges()).isEqualTo(2);
    assertThat(upgraded.cart(space, "main").items())
        .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 2L, "pear", 1L));
    upgraded.syncNow(Devices.SYNCED).join();

    assertThat(upgraded.replicaId()).isEqualTo(rid);
    assertThat(upgraded.status().pendingChanges()).isZero();
    assertThat(upgraded.rejectedChanges()).isEmpty();
    assertThat(devices.serverCart(space, "main"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 2L, "pear", 1L));
  }

  private static String meta(String key, String value) {
    return "INSERT INTO meta VALUES ('" + key + "', '" + value + "')";
  }
}
