package dev.converge.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.converge.sdk.SyncClient;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Erasure of a shared space seen by SDK devices against the packaged server and PostgreSQL: a
 * connected device and one that was offline during the erasure both purge the space (its documents
 * leave the device, the space is shown as forbidden), and the owner's own space is untouched; after
 * the erasure of a user, that user's connected and reconnecting devices purge every space while the
 * other member keeps the shared one.
 */
class SdkErasureTest {

  private static final Duration CONVERGED = Duration.ofSeconds(30);

  private final URI server = TestServer.uri();

  private String owner;
  private String member;
  private String team;
  private Devices ownerDevices;
  private Devices memberDevices;

  @BeforeEach
  void team() throws Exception {
    owner = TestTokens.subject("owner");
    member = TestTokens.subject("member");
    team = "team:" + owner;
    ownerDevices =
        new Devices(
            server,
            Files.createTempDirectory("converge-owner"),
            TestTokens.mintRoles(owner, Map.of(team, "write")));
    memberDevices =
        new Devices(
            server,
            Files.createTempDirectory("converge-member"),
            TestTokens.mintRoles(member, Map.of(team, "write")));
  }

  @AfterEach
  void closeDevices() {
    ownerDevices.close();
    memberDevices.close();
  }

  @Test
  void connectedAndReconnectingDevices_purgeAnErasedSpace() {
    String own = "user:" + owner;
    SyncClient ownerPhone = ownerDevices.open("owner.db", team, own);
    ownerPhone.cart(team, "shared").add("tea", 2);
    ownerPhone.cart(own, "mine").add("milk", 1);
    ownerPhone.syncNow(Devices.SYNCED).join();
    SyncClient memberPhone = memberDevices.open("member.db", team);
    memberPhone.syncNow(Devices.SYNCED).join();
    assertThat(memberPhone.cart(team, "shared").items()).containsExactly(Map.entry("tea", 2L));
    // It purges only a space it has followed: wait until its cursor moved.
    await().atMost(CONVERGED).until(() -> memberPhone.status().spaces().get(team).cursor() > 0);

    memberPhone.pause();
    given()
        .baseUri(server.toString())
        .auth()
        .oauth2(TestTokens.admin())
        .when()
        .delete("/v1/admin/spaces/{space}", team)
        .then()
        .statusCode(200);

    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () -> {
              assertThat(ownerPhone.status().spaces().get(team).forbidden()).isTrue();
              assertThat(ownerPhone.cart(team, "shared").items()).isEmpty();
            });
    memberPhone.resume();
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () -> {
              assertThat(memberPhone.status().spaces().get(team).forbidden()).isTrue();
              assertThat(memberPhone.cart(team, "shared").items()).isEmpty();
            });
    assertThat(ownerPhone.cart(own, "mine").items()).containsExactly(Map.entry("milk", 1L));
    assertThat(ownerDevices.serverCart(own, "mine")).containsExactly(Map.entry("milk", 1L));
  }

  @Test
  void connectedAndReconnectingDevicesOfAnErasedUser_purgeEverySpace_whileOthersKeepTheShared() {
    String own = "user:" + member;
    SyncClient memberPhone = memberDevices.open("member-phone.db", team, own);
    SyncClient memberTablet = memberDevices.open("member-tablet.db", team, own);
    SyncClient ownerPhone = ownerDevices.open("owner.db", team);
    memberPhone.cart(own, "mine").add("milk", 1);
    memberPhone.cart(team, "shared").add("tea", 2);
    memberPhone.syncNow(Devices.SYNCED).join();
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () -> {
              assertThat(memberTablet.cart(own, "mine").items())
                  .containsExactly(Map.entry("milk", 1L));
              assertThat(ownerPhone.cart(team, "shared").items())
                  .containsExactly(Map.entry("tea", 2L));
              assertThat(memberTablet.status().spaces().get(own).cursor()).isPositive();
              assertThat(memberTablet.status().spaces().get(team).cursor()).isPositive();
            });

    memberTablet.pause();
    given()
        .baseUri(server.toString())
        .auth()
        .oauth2(TestTokens.admin())
        .when()
        .delete("/v1/admin/users/{subject}", member)
        .then()
        .statusCode(200);

    assertPurged(memberPhone, own);
    memberTablet.resume();
    assertPurged(memberTablet, own);
    // The other member keeps the shared space as it was, and goes on writing to it.
    ownerPhone.cart(team, "shared").add("jam", 1);
    ownerPhone.syncNow(Devices.SYNCED).join();
    assertThat(ownerDevices.serverCart(team, "shared"))
        .containsOnly(Map.entry("tea", 2L), Map.entry("jam", 1L));
  }

  /** The device shows both of its spaces as forbidden and holds nothing of them. */
  private void assertPurged(SyncClient device, String own) {
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () -> {
              assertThat(device.status().spaces().get(own).forbidden()).isTrue();
              assertThat(device.status().spaces().get(team).forbidden()).isTrue();
              assertThat(device.cart(own, "mine").items()).isEmpty();
              assertThat(device.cart(team, "shared").items()).isEmpty();
            });
  }

  @Test
  void changesPendingForAnErasedSpace_areDropped_andTheOutboxBehindThemStillDrains() {
    String own = "user:" + member;
    SyncClient memberPhone = memberDevices.open("member-pending.db", team, own);
    SyncClient ownerPhone = ownerDevices.open("owner-pending.db", team);
    ownerPhone.cart(team, "shared").add("tea", 2);
    ownerPhone.syncNow(Devices.SYNCED).join();
    await().atMost(CONVERGED).until(() -> memberPhone.status().spaces().get(team).cursor() > 0);

    // Offline, the member writes into the team space and then into its own; meanwhile the team
    // space is erased.
    memberPhone.pause();
    memberPhone.cart(team, "shared").add("gin", 1);
    memberPhone.cart(own, "mine").add("milk", 1);
    given()
        .baseUri(server.toString())
        .auth()
        .oauth2(TestTokens.admin())
        .when()
        .delete("/v1/admin/spaces/{space}", team)
        .then()
        .statusCode(200);
    memberPhone.resume();

    // The change into the erased space is dropped as a rejected change (code revoked), the space
    // shows as forbidden, and the change behind it reaches the server: no loop, no stall.
    // A sync that meets the purge ends with REJECTED (the SDK's signal that changes were moved
    // to the rejected changes); one after it ends normally.
    Throwable outcome = memberPhone.syncNow(Devices.SYNCED).handle((ok, e) -> e).join();
    if (outcome != null) {
      assertThat(String.valueOf(outcome)).contains("REJECTED");
    }
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () -> {
              assertThat(memberPhone.status().spaces().get(team).forbidden()).isTrue();
              assertThat(memberPhone.status().pendingChanges()).isZero();
              assertThat(memberPhone.rejectedChanges())
                  .extracting(r -> r.code())
                  .containsExactly("revoked");
              assertThat(memberDevices.serverCart(own, "mine"))
                  .containsExactly(Map.entry("milk", 1L));
            });
    assertThat(memberPhone.cart(team, "shared").items()).isEmpty();
    memberPhone.syncNow(Devices.SYNCED).join();
  }
}
