package dev.converge.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.converge.sdk.Cart;
import dev.converge.sdk.FieldConflict;
import dev.converge.sdk.Profile;
import dev.converge.sdk.SyncClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real SDK, on real SQLite files, against this server and the real PostgreSQL. */
class SdkEndToEndTest {

  private static final Duration CONVERGED = Duration.ofSeconds(30);

  private final URI server = TestServer.uri();

  private Path dir;
  private String alice;
  private String space;
  private SyncClient phone;
  private SyncClient laptop;

  @BeforeEach
  void twoDevicesOfOneUser() throws Exception {
    dir = Files.createTempDirectory("converge-e2e");
    alice = TestTokens.subject("alice");
    space = "user:" + alice;
    phone = client("phone", alice);
    laptop = client("laptop", alice);
  }

  @AfterEach
  void closeClients() {
    phone.close();
    laptop.close();
  }

  private SyncClient client(String device, String subject) {
    return SyncClient.builder()
        .databasePath(dir.resolve(device + "-" + subject + ".db"))
        .serverUri(URI.create(server.toString().replaceFirst("^http", "ws")).resolve("/v1/sync"))
        .tokenSupplier(() -> TestTokens.mint(subject))
        .subscribe("user:" + subject)
        .replicaName(device)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
        .build()
        .connect();
  }

  @Test
  void twoClientsOfOneUser_convergeLive() {
    phone.cart(space, "main").add("sku-1", 2);
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () ->
                assertThat(laptop.cart(space, "main").items())
                    .containsExactly(Map.entry("sku-1", 2L)));

    laptop.profile(space, "me").set("city", "Lisbon");
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () -> assertThat(phone.profile(space, "me").getString("city")).contains("Lisbon"));
    phone.syncNow(Duration.ofSeconds(20)).join();
    assertThat(phone.status().pendingChanges()).isZero();
  }

  @Test
  void offlineEditsOnBothDevices_convergeToTheCartAndProfileRules_afterReconnect() {
    Cart phoneCart = phone.cart(space, "main");
    phoneCart.add("kept", 1);
    phoneCart.add("contested", 1);
    phone.syncNow(Duration.ofSeconds(20)).join();
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () ->
                assertThat(laptop.cart(space, "main").items())
                    .containsOnlyKeys("kept", "contested"));

    phone.pause();
    laptop.pause();
    Cart laptopCart = laptop.cart(space, "main");
    phoneCart.add("same-item", 2); // concurrent adds of one item add up
    laptopCart.add("same-item", 3);
    phoneCart.remove("contested"); // remove concurrent with an add: the unseen add survives
    laptopCart.add("contested", 2);
    Profile phoneProfile = phone.profile(space, "me");
    Profile laptopProfile = laptop.profile(space, "me");
    phoneProfile.set("name", "Ada");
    sleepPastTheClock();
    laptopProfile.set("name", "Grace"); // the later concurrent write wins by LWW

    phone.resume();
    laptop.resume();
    phone.syncNow(Duration.ofSeconds(20)).join();
    laptop.syncNow(Duration.ofSeconds(20)).join();

    Map<String, Long> expected = Map.of("kept", 1L, "same-item", 5L, "contested", 2L);
    await()
        .atMost(CONVERGED)
        .untilAsserted(
            () -> {
              assertThat(phone.cart(space, "main").items())
                  .containsExactlyInAnyOrderEntriesOf(expected);
              assertThat(laptop.cart(space, "main").items())
                  .containsExactlyInAnyOrderEntriesOf(expected);
              assertThat(phone.profile(space, "me").getString("name")).contains("Grace");
              assertThat(laptop.profile(space, "me").getString("name")).contains("Grace");
            });
    List<FieldConflict> conflicts = phone.profile(space, "me").conflicts();
    assertThat(conflicts)
        .singleElement()
        .satisfies(
            conflict -> {
              assertThat(conflict.field()).isEqualTo("name");
              assertThat(conflict.losers())
                  .singleElement()
                  .satisfies(loser -> assertThat(loser.value()).isEqualTo("Ada"));
            });
    given()
        .auth()
        .oauth2(TestTokens.mint(alice))
        .when()
        .get("/v1/spaces/{space}/documents/carts/main", space)
        .then()
        .statusCode(200);
  }

  @Test
  void aThirdUser_seesNothingOfTheirs() throws Exception {
    phone.cart(space, "main").add("secret-sku", 1);
    phone.profile(space, "me").set("email", "alice@example.com");
    phone.syncNow(Duration.ofSeconds(20)).join();

    String bob = TestTokens.subject("bob");
    try (SyncClient bobClient =
        SyncClient.builder()
            .databasePath(dir.resolve("bob.db"))
            .serverUri(
                URI.create(server.toString().replaceFirst("^http", "ws")).resolve("/v1/sync"))
            .tokenSupplier(() -> TestTokens.mint(bob))
            .subscribe("user:" + bob)
            .subscribe(space)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
            .build()
            .connect()) {
      await().atMost(CONVERGED).until(() -> bobClient.status().online());
      bobClient.cart("user:" + bob, "main").add("own", 1);
      bobClient.syncNow(Duration.ofSeconds(20)).join();
      assertThat(bobClient.cart(space, "main").items()).isEmpty();
      assertThat(bobClient.profile(space, "me").fields()).isEmpty();
    }
    given()
        .auth()
        .oauth2(TestTokens.mint(bob))
        .when()
        .get("/v1/spaces/{space}/documents/carts/main", space)
        .then()
        .statusCode(403);
    assertThat(phone.cart("user:" + bob, "main").items()).isEmpty();
  }

  private static void sleepPastTheClock() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
