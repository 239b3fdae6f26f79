package dev.converge.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.converge.sdk.Cart;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncException;
import dev.converge.sdk.SyncStatus;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK keeps syncing through server faults, against this server and the real PostgreSQL: a
 * database that drops the server's connections, a value too big to send, and a syncNow that must
 * see what other clients had acked.
 */
class SdkLivenessTest {

  private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

  /** How long a retry already under way may stay unanswered before the status counts as stale. */
  private static final Duration RETRY_ANSWERED_WITHIN = Duration.ofSeconds(30);

  private final URI server = TestServer.uri();

  private final String dbUrl = TestServer.databaseUrl();

  private Path dir;
  private final List<SyncClient> clients = new ArrayList<>();

  @BeforeEach
  void directory() throws Exception {
    dir = Files.createTempDirectory("converge-liveness");
  }

  @AfterEach
  void closeClients() {
    clients.forEach(SyncClient::close);
  }

  private SyncClient client(String device, String subject, int batchSize) {
    SyncClient client =
        SyncClient.builder()
            .databasePath(dir.resolve(device + ".db"))
            .serverUri(
                URI.create(server.toString().replaceFirst("^http", "ws")).resolve("/v1/sync"))
            .tokenSupplier(() -> TestTokens.mint(subject))
            .subscribe("user:" + subject)
            .replicaName(device)
            .batchSize(batchSize)
            .backoff(Duration.ofMillis(50), MAX_BACKOFF)
            .build()
            .connect();
    clients.add(client);
    return client;
  }

  @Test
  void
      terminatedDatabaseConnections_duringPushes_deliverEveryWriteExactlyOnce_andStatusStaysTruthful()
          throws Exception {
    String alice = TestTokens.subject("alice");
    String space = "user:" + alice;
    SyncClient phone = client("phone", alice, 5);
    phone.syncNow(Duration.ofSeconds(20)).join();
    List<SyncStatus> changes = new CopyOnWriteArrayList<>();
    phone.addStatusListener(Runnable::run, changes::add);
    List<Sample> samples = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger terminated = new AtomicInteger();
    Thread sampler =
        daemon(
            () -> {
              while (running.get()) {
                samples.add(new Sample(Instant.now(), phone.status()));
                pause(10);
              }
            });
    Thread killer =
        daemon(
            () -> {
              while (writing.get()) {
                terminated.addAndGet(terminateServerConnections());
                pause(200);
              }
            });

    Cart cart = phone.cart(space, "main");
    Map<String, Long> expected = new TreeMap<>();
    for (int i = 0; i < 300; i++) {
      String sku = "sku-" + (i % 7);
      cart.add(sku, 1 + i % 3);
      expected.merge(sku, 1L + i % 3, Long::sum);
      pause(10);
    }
    writing.set(false);
    killer.join();
    await().atMost(Duration.ofSeconds(60)).until(() -> phone.status().pendingChanges() == 0);
    running.set(false);
    sampler.join();
    phone.syncNow(Duration.ofSeconds(60)).join();

    JsonPath document =
        given()
            .auth()
            .oauth2(TestTokens.mint(alice))
            .when()
            .get("/v1/spaces/{space}/documents/carts/main", space)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    Map<String, Long> stored = new TreeMap<>();
    expected
        .keySet()
        .forEach(sku -> stored.put(sku, document.getLong("value.items.'" + sku + "'.qty")));
    assertThat(stored).as("every write counted exactly once").isEqualTo(expected);
    assertThat(cart.items()).isEqualTo(expected);

    assertThat(terminated.get()).as("the database dropped the server's connections").isPositive();
    assertThat(changes)
        .as("the push failures were reported")
        .anyMatch(s -> s.lastError() != null && s.nextRetryAt() != null);
    List<Sample> all = new ArrayList<>(samples);
    changes.forEach(s -> all.add(new Sample(null, s)));
    for (Sample sample : all) {
      SyncStatus s = sample.status();
      if (s.online() && s.pendingChanges() > 0 && s.lastError() != null) {
        assertThat(s.nextRetryAt())
            .as("an error with pending changes says when it is retried: %s", s)
            .isNotNull();
      }
      if (sample.at() != null
          && s.lastError() != null
          && s.nextRetryAt() != null
          && s.pendingChanges() > 0) {
        assertThat(s.nextRetryAt())
            .as("a retry is never left behind: %s", s)
            .isAfter(sample.at().minus(RETRY_ANSWERED_WITHIN));
      }
    }
    SyncStatus last = phone.status();
    assertThat(last.lastError()).isNull();
    assertThat(last.nextRetryAt()).isNull();
  }

  @Test
  void syncNow_afterAnotherClientsAckedWrites_alwaysSeesThem() {
    String bob = TestTokens.subject("bob");
    String space = "user:" + bob;
    SyncClient phone = client("bob-phone", bob, 100);
    SyncClient laptop = client("bob-laptop", bob, 100);
    laptop.syncNow(Duration.ofSeconds(20)).join();
    for (int round = 1; round <= 8; round++) {
      phone.profile(space, "me").set("round", "r" + round);
      phone.cart(space, "main").add("sku", 1);
      await().atMost(Duration.ofSeconds(20)).until(() -> phone.status().pendingChanges() == 0);

      laptop.syncNow(Duration.ofSeconds(20)).join();
      assertThat(laptop.profile(space, "me").getString("round"))
          .as("round %d", round)
          .contains("r" + round);
      assertThat(laptop.cart(space, "main").items())
          .as("round %d", round)
          .containsEntry("sku", (long) round);
    }
  }

  @Test
  void aValueBeyondTheCodecLimits_failsAtTheCall_andLaterWritesSync() {
    String carol = TestTokens.subject("carol");
    String space = "user:" + carol;
    SyncClient phone = client("carol-phone", carol, 100);

    assertThatThrownBy(() -> phone.profile(space, "me").set("bio", "x".repeat(70_000)))
        .isInstanceOf(SyncException.class)
        .satisfies(
            e ->
                assertThat(((SyncException) e).code())
                    .isEqualTo(SyncException.Code.INVALID_ARGUMENT));
    phone.profile(space, "me").set("bio", "fits");
    phone.syncNow(Duration.ofSeconds(20)).join();

    assertThat(
            given()
                .auth()
                .oauth2(TestTokens.mint(carol))
                .when()
                .get("/v1/spaces/{space}/documents/profiles/me", space)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getString("value.bio"))
        .isEqualTo("fits");
    assertThat(phone.status().pendingChanges()).isZero();
    assertThat(phone.status().lastError()).isNull();
  }

  private record Sample(Instant at, SyncStatus status) {}

  /** Terminates every connection of the server's database but this one; returns how many. */
  private int terminateServerConnections() {
    String database = dbUrl.substring(dbUrl.lastIndexOf('/') + 1);
    try (Connection db =
            DriverManager.getConnection(
                "jdbc:" + dbUrl, TestServer.databaseUser(), TestServer.databasePassword());
        Statement statement = db.createStatement()) {
      statement.execute("set statement_timeout = '5s'");
      try (ResultSet rs =
          statement.executeQuery(
              "select count(*) filter (where pg_terminate_backend(pid))"
                  + " from pg_stat_activity where datname = '"
                  + database
                  + "' and pid <> pg_backend_pid()")) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not terminate the server's database connections", e);
    }
  }

  private static Thread daemon(Runnable work) {
    Thread thread = new Thread(work);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
