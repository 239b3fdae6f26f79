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
 * leave the device, the space is shown as forbidden), and the owner's own space is untouched.
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
}
