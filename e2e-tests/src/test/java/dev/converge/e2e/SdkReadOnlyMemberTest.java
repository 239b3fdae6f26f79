package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.converge.sdk.RejectedChange;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A read-only member's device against the real server, PostgreSQL and SDK: it receives the space's
 * changes, its own write into the space is refused with {@code read_only} and consumed, and the
 * device converges back to the server's state (the refused value disappears, the rejection is shown
 * to the app) while its writes into its own space still go through.
 */
class SdkReadOnlyMemberTest {

  private static final Duration CONVERGED = Duration.ofSeconds(30);

  private final URI server = TestServer.uri();

  private String owner;
  private String viewer;
  private String team;
  private Devices ownerDevices;
  private Devices viewerDevices;

  @BeforeEach
  void teamWithAViewer() throws Exception {
    owner = TestTokens.subject("owner");
    viewer = TestTokens.subject("viewer");
    team = "team:" + owner;
    ownerDevices =
        new Devices(
            server,
            Files.createTempDirectory("converge-owner"),
            TestTokens.mintRoles(owner, Map.of(team, "write")));
    viewerDevices =
        new Devices(
            server,
            Files.createTempDirectory("converge-viewer"),
            TestTokens.mintRoles(viewer, Map.of(team, "read")));
  }

  @AfterEach
  void closeDevices() {
    ownerDevices.close();
    viewerDevices.close();
  }

  @Test
  void readOnlyDevice_receivesTheSpace_itsWriteIsRefused_andItConvergesBack() {
    SyncClient ownerPhone = ownerDevices.open("owner.db", team);
    ownerPhone.cart(team, "shared").add("tea", 2);
    ownerPhone.syncNow(Devices.SYNCED).join();

    String own = "user:" + viewer;
    SyncClient viewerPhone = viewerDevices.open("viewer.db", team, own);
    viewerPhone.syncNow(Devices.SYNCED).join();
    assertThat(viewerPhone.cart(team, "shared").items()).containsExactly(Map.entry("tea", 2L));

    viewerPhone.cart(team, "shared").add("gin", 5);
    viewerPhone.cart(own, "mine").add("milk", 1);
    assertThat(viewerPhone.cart(team, "shared").items()).containsEntry("gin", 5L);
    // syncNow reports the refusal: the app learns that its write did not stick.
    assertThatThrownBy(() -> viewerPhone.syncNow(Devices.SYNCED).join())
        .hasCauseInstanceOf(SyncException.class)
        .cause()
        .satisfies(
            e -> assertThat(((SyncException) e).code()).isEqualTo(SyncException.Code.REJECTED));

    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () -> {
              assertThat(viewerPhone.rejectedChanges())
                  .extracting(RejectedChange::code)
                  .containsExactly("read_only");
              assertThat(viewerPhone.cart(team, "shared").items())
                  .as("the refused value is gone from the device")
                  .containsExactly(Map.entry("tea", 2L));
            });
    assertThat(viewerPhone.status().pendingChanges()).isZero();
    assertThat(viewerDevices.serverCart(own, "mine")).containsExactly(Map.entry("milk", 1L));
    assertThat(ownerDevices.serverCart(team, "shared")).containsExactly(Map.entry("tea", 2L));

    // The owner's later writes still reach the viewer: its queue is not stalled.
    ownerPhone.cart(team, "shared").add("tea", 1);
    ownerPhone.syncNow(Devices.SYNCED).join();
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () ->
                assertThat(viewerPhone.cart(team, "shared").items())
                    .containsExactly(Map.entry("tea", 3L)));
  }
}
