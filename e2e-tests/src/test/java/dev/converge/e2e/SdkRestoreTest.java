package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.converge.sdk.SyncClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A server restored from a backup taken mid-run, and written to again since, is detected by the log
 * epoch at {@code hello} and repaired by the devices (docs/reliability.md, "Restoring the server"):
 * every write any device had acknowledged comes back, removes made before and after the backup stay
 * removed, the unsent writes are delivered, nothing is counted twice, and the devices converge to
 * the server. Real server process, real PostgreSQL ({@code pg_dump}, {@code psql}), real SDK.
 */
class SdkRestoreTest {

  private static final Duration CONVERGED = Duration.ofSeconds(60);
  private static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");

  private static void sync(SyncClient client) {
    client.syncNow(Devices.SYNCED).join();
  }

  @Test
  void restoredServer_getsBackEveryAcknowledgedWrite() throws Exception {
    try (RestoreRig rig = RestoreRig.start("restore")) {
      String space = rig.space;
      Devices devices = rig.devices;
      TestServer.Node node = rig.node;
      SyncClient a = devices.open("a.db", space);
      SyncClient b = devices.open("b.db", space);

      // Before the backup: adds of both devices, and a remove the backup already holds.
      a.cart(space, "main").add("apple", 1);
      a.cart(space, "main").add("egg", 1);
      a.cart(space, "main").add("milk", 1);
      sync(a);
      b.cart(space, "main").add("pear", 2);
      b.cart(space, "main").add("bread", 1);
      sync(b);
      sync(a);
      b.cart(space, "main").remove("egg");
      sync(b);
      sync(a);
      rig.backup();

      // After the backup, acknowledged: increments, new items, a remove of the other device's item.
      a.cart(space, "main").add("apple", 2);
      a.cart(space, "main").add("fig", 4);
      sync(a);
      b.cart(space, "main").add("kiwi", 5);
      b.cart(space, "main").add("pear", 3);
      sync(b);
      b.cart(space, "main").remove("milk");
      sync(b);
      sync(a);
      assertThat(a.cart(space, "main").items()).isEqualTo(b.cart(space, "main").items());
      Map<String, Long> acknowledged = new TreeMap<>(a.cart(space, "main").items());
      assertThat(acknowledged)
          .isEqualTo(Map.of("apple", 3L, "bread", 1L, "fig", 4L, "kiwi", 5L, "pear", 5L));

      a.pause();
      b.pause();
      // Unsent when the server goes back in time: the outbox keeps it.
      a.cart(space, "main").add("plum", 1);
      node.kill();
      rig.restoreBackup();
      node.restart();
      assertThat(devices.serverCart(space, "main"))
          .as("the restored server holds the backup's state")
          .isEqualTo(Map.of("apple", 1L, "bread", 1L, "milk", 1L, "pear", 2L));

      // The restored server takes new writes: serverSeqs the devices passed are reused.
      SyncClient c = devices.open("c.db", space);
      for (int i = 0; i < 12; i++) {
        c.cart(space, "main").add("cherry", 1);
        sync(c);
      }

      a.resume();
      b.resume();
      Map<String, Long> expected = new TreeMap<>(acknowledged);
      expected.put("plum", 1L);
      expected.put("cherry", 12L);
      await()
          .atMost(CONVERGED)
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                sync(a);
                sync(b);
                sync(c);
                assertThat(devices.serverCart(space, "main")).isEqualTo(expected);
                assertThat(a.cart(space, "main").items()).isEqualTo(expected);
                assertThat(b.cart(space, "main").items()).isEqualTo(expected);
                assertThat(c.cart(space, "main").items()).isEqualTo(expected);
              });
      assertThat(a.rejectedChanges()).isEmpty();
      assertThat(b.rejectedChanges()).isEmpty();
      // Once per device that found the space restored (a and b; c started after the restore),
      // not again at the re-keyed hello that follows.
      assertThat(node.metric("converge_antientropy_divergent_documents_total", "cause=\"restore\""))
          .as("spaces found restored")
          .isEqualTo(2);
    }
  }

  /**
   * The same restore with the devices' digest rounds running all along (every second): an exchange
   * that meets the restored server before a device's restore repair is through, or that sees
   * another device's writes the restored server lacks, must neither lose nor double a write.
   */
  @Test
  void restoredServer_whileDigestRoundsRun_endsWithEveryAcknowledgedWriteOnce() throws Exception {
    Duration interval = Duration.ofSeconds(1);
    try (RestoreRig rig = RestoreRig.start("restore-digest")) {
      String space = rig.space;
      Devices devices = rig.devices;
      TestServer.Node node = rig.node;
      SyncClient a = devices.open("a.db", interval, space);
      SyncClient b = devices.open("b.db", interval, space);
      a.cart(space, "main").add("apple", 1);
      a.cart(space, "main").add("egg", 1);
      a.cart(space, "other").add("nut", 1);
      sync(a);
      sync(b); // b removes the egg once it holds it (see the apple below)
      b.cart(space, "main").add("pear", 2);
      b.cart(space, "main").remove("egg");
      sync(b);
      sync(a);
      rig.backup();

      a.cart(space, "main").add("apple", 2);
      a.cart(space, "main").add("fig", 4);
      a.cart(space, "mine").add("date", 1);
      sync(a);
      // b removes the apple it has seen: all of a's, once it has pulled them (else add-wins keeps
      // the increment b never saw, as it should).
      sync(b);
      b.cart(space, "main").add("kiwi", 5);
      b.cart(space, "main").remove("apple");
      b.cart(space, "theirs").add("lime", 2);
      sync(b);
      sync(a);
      // Digest rounds pass over the converged state before the restore.
      Thread.sleep(interval.multipliedBy(3).toMillis());
      Map<String, Map<String, Long>> acknowledged = carts(a, space);
      assertThat(carts(b, space)).isEqualTo(acknowledged);
      assertThat(acknowledged.get("main")).isEqualTo(Map.of("fig", 4L, "kiwi", 5L, "pear", 2L));

      node.kill();
      // Written while the server is down: unsent when it comes back restored.
      b.cart(space, "main").add("plum", 1);
      rig.restoreBackup();
      node.restart();

      // The restored server takes writes of a third device while a and b repair and exchange.
      SyncClient c = devices.open("c.db", interval, space);
      for (int i = 0; i < 6; i++) {
        c.cart(space, "main").add("cherry", 1);
        sync(c);
      }
      Map<String, Map<String, Long>> expected = new TreeMap<>(acknowledged);
      Map<String, Long> main = new TreeMap<>(acknowledged.get("main"));
      main.put("plum", 1L);
      main.put("cherry", 6L);
      expected.put("main", main);
      await()
          .atMost(CONVERGED)
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                for (String cart : expected.keySet()) {
                  assertThat(devices.serverCart(space, cart))
                      .as(cart)
                      .isEqualTo(expected.get(cart));
                }
                assertThat(carts(a, space)).isEqualTo(expected);
                assertThat(carts(b, space)).isEqualTo(expected);
                assertThat(carts(c, space)).isEqualTo(expected);
              });
      // Later rounds change nothing more: the state is stable on every end.
      Thread.sleep(interval.multipliedBy(3).toMillis());
      for (String cart : expected.keySet()) {
        assertThat(devices.serverCart(space, cart)).as(cart).isEqualTo(expected.get(cart));
      }
      assertThat(carts(a, space)).isEqualTo(expected);
      assertThat(carts(b, space)).isEqualTo(expected);
      assertThat(carts(c, space)).isEqualTo(expected);
      assertThat(a.rejectedChanges()).isEmpty();
      assertThat(b.rejectedChanges()).isEmpty();
      assertThat(c.rejectedChanges()).isEmpty();
    }
  }

  /**
   * Counter compaction on (every second): the server coalesces both devices' increments into runs
   * after the backup was taken and sends the runs to the devices, which no longer hold the single
   * increments. Restored, the server holds only the backup's increments; each device gives back its
   * own runs, which replace the increments the server still holds, and no increment is lost or
   * counted twice.
   */
  @Test
  void restoredServer_getsBackTheRunsItCompactedAfterTheBackup() throws Exception {
    try (RestoreRig rig = RestoreRig.start("restore-runs")) {
      String space = rig.space;
      Devices devices = rig.devices;
      TestServer.Node node = rig.node;
      SyncClient a = devices.open("a.db", space);
      SyncClient b = devices.open("b.db", space);
      for (int i = 0; i < 3; i++) {
        a.cart(space, "main").add("apple", 1);
        sync(a);
      }
      for (int i = 0; i < 2; i++) {
        b.cart(space, "main").add("apple", 1);
        sync(b);
      }
      sync(a);
      rig.backup();
      double compactedAtBackup = node.metric("converge_counter_compactions_total");

      for (int i = 0; i < 4; i++) {
        a.cart(space, "main").add("apple", 2);
        a.cart(space, "main").add("fig", 1);
        sync(a);
      }
      for (int i = 0; i < 3; i++) {
        b.cart(space, "main").add("apple", 1);
        sync(b);
      }
      Map<String, Long> acknowledged = Map.of("apple", 16L, "fig", 4L);
      // Both devices acknowledge everything, so it all becomes stable and is compacted into one
      // run per device and item, over increments made before and after the backup; the
      // compaction reaches both devices.
      await()
          .atMost(CONVERGED)
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () -> {
                sync(a);
                sync(b);
                assertThat(devices.serverQuantityEntries(space, "main", "apple"))
                    .hasSize(2)
                    .allSatisfy(entry -> assertThat(entry).as("a run").hasSize(4));
                assertThat(devices.serverQuantityEntries(space, "main", "fig"))
                    .singleElement()
                    .satisfies(entry -> assertThat(entry).as("a run").hasSize(4));
              });
      assertThat(node.metric("converge_counter_compactions_total"))
          .isGreaterThan(compactedAtBackup);
      sync(a);
      sync(b);
      assertThat(a.cart(space, "main").items()).isEqualTo(acknowledged);
      assertThat(b.cart(space, "main").items()).isEqualTo(acknowledged);

      a.pause();
      b.pause();
      node.kill();
      rig.restoreBackup();
      node.restart();
      assertThat(devices.serverCart(space, "main"))
          .as("the restored server holds the backup's increments only")
          .isEqualTo(Map.of("apple", 5L));
      a.resume();
      b.resume();
      await()
          .atMost(CONVERGED)
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () -> {
                sync(a);
                sync(b);
                assertThat(devices.serverCart(space, "main")).isEqualTo(acknowledged);
                assertThat(a.cart(space, "main").items()).isEqualTo(acknowledged);
                assertThat(b.cart(space, "main").items()).isEqualTo(acknowledged);
              });
      // Compaction goes on after the repair; the totals stay.
      Thread.sleep(3_000);
      sync(a);
      sync(b);
      assertThat(devices.serverCart(space, "main")).isEqualTo(acknowledged);
      assertThat(a.cart(space, "main").items()).isEqualTo(acknowledged);
      assertThat(b.cart(space, "main").items()).isEqualTo(acknowledged);
      assertThat(a.rejectedChanges()).isEmpty();
      assertThat(b.rejectedChanges()).isEmpty();
    }
  }

  private static Map<String, Map<String, Long>> carts(SyncClient client, String space) {
    Map<String, Map<String, Long>> carts = new TreeMap<>();
    for (String cart : List.of("main", "mine", "other", "theirs")) {
      carts.put(cart, new TreeMap<>(client.cart(space, cart).items()));
    }
    return carts;
  }
}
