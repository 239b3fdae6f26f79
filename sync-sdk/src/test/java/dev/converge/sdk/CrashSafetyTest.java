package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.internal.store.OutboxRow;
import dev.converge.sdk.internal.store.SqliteStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that writes in a loop with SIGKILL at random moments and checks, after each
 * kill, that every write is either wholly present (state and outbox) or wholly absent, and that
 * every write the child saw return is present. Finally syncs the survivor and checks the server
 * holds exactly the local state.
 */
class CrashSafetyTest {

  static final int KILLS = 22;
  static final DocumentKey CART = new DocumentKey("user:alice", SyncClient.CARTS, "main");
  static final ProtocolCodec CODEC = new ProtocolCodec();

  @TempDir Path dir;

  @Test
  void sigkillAtRandomMoments_leavesEveryWriteWhollyPresentOrAbsent() throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    System.out.println("CrashSafetyTest seed " + seed + " (replay with -Dcrash.seed=" + seed + ")");
    Random random = new Random(seed);
    Path db = dir.resolve("crash.db");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    int lastConfirmed = -1;
    int totalWrites = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      Process child =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  "--enable-native-access=ALL-UNNAMED",
                  CrashWriter.class.getName(),
                  db.toString())
              .redirectErrorStream(true)
              .start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      // Skip what the child logs before it is ready (such as SLF4J's no-provider notice).
      for (int skipped = 0; line != null && !line.startsWith("ready") && skipped < 20; skipped++) {
        line = out.readLine();
      }
      assertThat(line).as("child output (seed %d)", seed).startsWith("ready");
      AtomicInteger confirmed = new AtomicInteger(lastConfirmed);
      Thread reader =
          new Thread(
              () -> {
                try {
                  String l;
                  while ((l = out.readLine()) != null) {
                    if (l.startsWith("ok ")) {
                      confirmed.set(Integer.parseInt(l.substring(3)));
                    }
                  }
                } catch (Exception ignored) {
                  // the pipe breaks when the child dies
                }
              });
      reader.start();
      Thread.sleep(random.nextInt(400));
      child.destroyForcibly(); // SIGKILL on Unix
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      reader.join(5_000);
      lastConfirmed = confirmed.get();
      totalWrites = verify(db, lastConfirmed, seed);
    }
    assertThat(totalWrites).as("writes made across all children").isGreaterThan(KILLS);

    // After the crashes, a sync delivers exactly the surviving local state to the server.
    FakeServer server = new FakeServer();
    server.grant("t", "alice", Set.of("user:alice"), System.currentTimeMillis() + 3_600_000);
    try (SyncClient client =
        SyncClient.builder()
            .databasePath(db)
            .serverUri(URI.create("ws://fake/v1/sync"))
            .tokenSupplier(() -> "t")
            .subscribe("user:alice")
            .transport(server)
            .build()
            .connect()) {
      client.syncNow(Duration.ofSeconds(30)).join();
      assertThat(Cart.of(server.document("user:alice", SyncClient.CARTS, "main")).items())
          .isEqualTo(client.cart("user:alice", "main").items());
      assertThat(client.status().pendingChanges()).isZero();
    } finally {
      server.shutdownServer();
    }
  }

  /** Checks the invariants; returns the number of writes present. */
  private static int verify(Path db, int lastConfirmed, long seed) {
    try (SqliteStore store = SqliteStore.open(db, CODEC, System::currentTimeMillis, false)) {
      Document state = store.read(CART).orElseGet(Document::new);
      SortedMap<String, Long> items = Cart.of(state).items();
      List<OutboxRow> rows = store.outbox(0, Integer.MAX_VALUE);
      int n = rows.size();
      assertThat(store.replica().nextSeq()).as("next seq (seed %d)", seed).isEqualTo(n + 1L);
      assertThat(items).as("items (seed %d)", seed).hasSize(n);
      for (int i = 0; i < n; i++) {
        OutboxRow row = rows.get(i);
        assertThat(row.seq()).isEqualTo(i + 1L);
        assertThat(items).containsEntry("sku-" + i, 1L);
        Document delta = CODEC.decodeDocument(row.deltaJson());
        assertThat(Cart.of(delta.copy()).quantity("sku-" + i))
            .as("row %d holds write %d", row.seq(), i)
            .isEqualTo(1);
        assertThat(Document.joined(state, delta))
            .as("delta of row %d is in the state", row.seq())
            .isEqualTo(state);
      }
      assertThat(n - 1)
          .as("every write that returned is present (seed %d)", seed)
          .isGreaterThanOrEqualTo(lastConfirmed);
      return n;
    }
  }
}
