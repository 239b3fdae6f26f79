package dev.converge.e2e;

import static io.restassured.RestAssured.given;

import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.SyncClient;
import io.restassured.http.ContentType;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Real SDK clients on SQLite files against the test server, plus what the e2e tests do beside them:
 * REST pushes as another install, REST reads of merged documents, and direct edits of a closed
 * client's file. One instance per test; closes its clients.
 */
final class Devices implements AutoCloseable {

  static final ProtocolCodec CODEC = new ProtocolCodec();
  static final Duration SYNCED = Duration.ofSeconds(20);

  private final URI server;
  private final Path dir;
  private final List<SyncClient> clients = new ArrayList<>();

  /**
   * The token every client of this instance fetches next; tests swap it to grant or revoke spaces.
   */
  final AtomicReference<String> token = new AtomicReference<>();

  Devices(URI server, Path dir, String firstToken) {
    this.server = server;
    this.dir = dir;
    this.token.set(firstToken);
  }

  /** Opens (or reopens) the client on {@code file}, subscribed to {@code spaces}. */
  SyncClient open(String file, String... spaces) {
    return open(file, null, spaces);
  }

  /**
   * Opens (or reopens) the client on {@code file}, subscribed to {@code spaces}, comparing digests
   * with the server every {@code digestInterval} (the SDK's default when null).
   */
  SyncClient open(String file, Duration digestInterval, String... spaces) {
    return openOffline(file, digestInterval, spaces).connect();
  }

  /**
   * Opens (or reopens) the client on {@code file} without connecting it: it reads and writes
   * locally until {@link SyncClient#connect()}.
   */
  SyncClient openOffline(String file, Duration digestInterval, String... spaces) {
    SyncClient.Builder b =
        SyncClient.builder()
            .databasePath(dir.resolve(file))
            .serverUri(
                URI.create(server.toString().replaceFirst("^http", "ws")).resolve("/v1/sync"))
            .tokenSupplier(token::get)
            .replicaName(file.replaceAll("[^A-Za-z0-9]", "-"))
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500));
    if (digestInterval != null) {
      b.digestInterval(digestInterval);
    }
    for (String space : spaces) {
      b.subscribe(space);
    }
    SyncClient client = b.build();
    clients.add(client);
    return client;
  }

  Path file(String file) {
    return dir.resolve(file);
  }

  /** Pushes changesets over REST as their replica (another install), with the current token. */
  void restPush(Changeset... changesets) {
    StringBuilder body = new StringBuilder("{\"changesets\":[");
    for (int i = 0; i < changesets.length; i++) {
      body.append(i == 0 ? "" : ",").append(CODEC.encodeChangeset(changesets[i]));
    }
    given()
        .baseUri(server.toString())
        .auth()
        .oauth2(token.get())
        .contentType(ContentType.JSON)
        .body(body.append("]}").toString())
        .post("/v1/changesets")
        .then()
        .statusCode(200);
  }

  /** The server's document view of a cart (its merged value and its stored state), over REST. */
  private io.restassured.path.json.JsonPath serverCartDocument(String space, String cart) {
    return given()
        .baseUri(server.toString())
        .auth()
        .oauth2(token.get())
        .get("/v1/spaces/{space}/documents/carts/{cart}", space, cart)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  /**
   * The entries of a cart item's quantity counter in the server's stored state: {@code [replica,
   * counter, amount]} for a single increment, {@code [replica, first, last, sum]} for a run.
   */
  List<List<Object>> serverQuantityEntries(String space, String cart, String sku) {
    return serverCartDocument(space, cart).getList("state.s.items.e." + sku + ".e.qty.e");
  }

  /** Returns the server's merged cart items of {@code space}/{@code cart} (sku to quantity). */
  Map<String, Long> serverCart(String space, String cart) {
    Map<String, Map<String, Object>> items = serverCartDocument(space, cart).getMap("value.items");
    Map<String, Long> quantities = new java.util.TreeMap<>();
    items.forEach((sku, fields) -> quantities.put(sku, ((Number) fields.get("qty")).longValue()));
    return quantities;
  }

  /** Runs SQL on a closed client's file, as an older SDK or a tampering tool would. */
  void sql(String file, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(file));
        Statement st = c.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
    }
  }

  @Override
  public void close() {
    clients.forEach(SyncClient::close);
  }
}
