package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change stamped at the largest timestamp the codec accepts reaches a device: the device applies
 * it, its cursor advances, and its clock leads physical time by no more than the configured offset.
 */
class FarFutureClockTest {

  static final String ALICE = SyncClientTest.ALICE;

  @TempDir Path dir;
  final FakeServer server = new FakeServer();
  SyncClient device;

  @AfterEach
  void tearDown() {
    if (device != null) {
      device.close();
    }
    server.shutdownServer();
  }

  @Test
  void largestTimestamp_isApplied_cursorAdvances_andTheClockStaysWithinTheOffset() {
    server.grant("a", "alice", Set.of(ALICE), System.currentTimeMillis() + 3_600_000);
    Duration offset = Duration.ofHours(1);
    device =
        SyncClient.builder()
            .databasePath(dir.resolve("c.db"))
            .serverUri(SyncClientTest.SERVER)
            .tokenSupplier(() -> "a")
            .subscribe(ALICE)
            .maxClockOffset(offset)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .transport(server)
            .build()
            .connect();
    long start = System.currentTimeMillis();
    Document poisoned =
        new Document()
            .writeRegister("far-future", List.of("name"), TextNode.valueOf("max"), Hlc.MAX);
    server.inject(ALICE, SyncClient.PROFILES, "me", poisoned, "far-future", 1);
    device.cart(ALICE, "main").add("apple", 1);
    SyncClientTest.sync(device);
    assertThat(device.status().spaces().get(ALICE).cursor()).isEqualTo(server.head(ALICE));
    assertThat(device.profile(ALICE, "me").getString("name")).contains("max");

    device.profile(ALICE, "me").set("name", "mine");
    server.inject(ALICE, SyncClient.PROFILES, "me", poisoned, "far-future", 2);
    device.cart(ALICE, "main").add("pear", 1);
    SyncClientTest.sync(device);
    long after = System.currentTimeMillis();

    assertThat(device.status().spaces().get(ALICE).cursor()).isEqualTo(server.head(ALICE));
    assertThat(device.status().connection()).isEqualTo(ConnectionState.ONLINE);
    List<Hlc> pushed = pushedStamps();
    assertThat(pushed).hasSize(3);
    assertThat(pushed)
        .allSatisfy(hlc -> assertThat(hlc.millis()).isLessThanOrEqualTo(after + offset.toMillis()));
    assertThat(pushed.get(1).millis())
        .as("adopted up to the bound")
        .isGreaterThanOrEqualTo(start + offset.toMillis());
    // Written after seeing the far-future value: it wins on every replica, whatever the stamps say.
    await()
        .untilAsserted(
            () -> assertThat(device.profile(ALICE, "me").getString("name")).contains("mine"));
  }

  private List<Hlc> pushedStamps() {
    ProtocolCodec codec = new ProtocolCodec();
    return server.received.stream()
        .map(codec::decode)
        .filter(Message.Push.class::isInstance)
        .flatMap(m -> ((Message.Push) m).changesets().stream())
        .map(Changeset::hlc)
        .toList();
  }
}
