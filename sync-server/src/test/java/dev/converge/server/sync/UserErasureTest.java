package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.UserErasure;
import dev.converge.server.db.SchemaMigration;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Erasure of a user against the real server and PostgreSQL (docs/access-control.md section 4): a
 * scan of every column of every table finds the subject nowhere, and the user's replica ids only
 * inside the documents and log of the spaces shared with others (the documented meaning); the
 * user's connected session and a reconnecting one are told to purge and closed; nothing of the user
 * is recorded again.
 */
@QuarkusTest
class UserErasureTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();

  @TestHTTPResource("/")
  URI server;

  @Inject
  @DataSource(SchemaMigration.MIGRATIONS)
  AgroalDataSource jdbc;

  private String alice;
  private String bob;
  private String own;
  private String team;
  private String readOnly;
  private String phone;
  private String tablet;
  private String bobPhone;

  @BeforeEach
  void users() {
    alice = TestTokens.subject("alice");
    bob = TestTokens.subject("bob");
    own = "user:" + alice;
    team = "team:" + bob;
    readOnly = "board:" + bob;
    phone = "r" + UUID.randomUUID().toString().replace("-", "");
    tablet = "r" + UUID.randomUUID().toString().replace("-", "");
    bobPhone = "r" + UUID.randomUUID().toString().replace("-", "");
  }

  private String aliceToken() {
    return TestTokens.mintRoles(alice, Map.of(team, "write", readOnly, "read"), List.of());
  }

  private WsClient aliceSession(String replica, String predecessor) {
    WsClient client = WsClient.connect(server, aliceToken());
    client.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            replica,
            List.of(
                new MessageParts.Subscription(own, 0),
                new MessageParts.Subscription(team, 0),
                new MessageParts.Subscription(readOnly, 0)),
            predecessor));
    return client;
  }

  private static Message.Push cart(String replica, long seq, String space, String item) {
    Document delta = Cart.of(new Document()).add(replica, item, 1);
    return new Message.Push(
        List.of(
            new Changeset(replica, seq, space, "carts", "main", new Hlc(1000 + seq, 0), delta)));
  }

  private static String admin() {
    return TestTokens.mintRoles(
        TestTokens.subject("operator"), Map.of(), List.of("converge-admin"));
  }

  /** Where a string occurs: "table" or "table@space" for each row of every table that holds it. */
  private Set<String> occurrences(String needle) throws SQLException {
    Set<String> found = new TreeSet<>();
    try (Connection c = jdbc.getConnection();
        Statement st = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "select table_name from information_schema.tables where table_schema ="
                  + " current_schema() and table_type = 'BASE TABLE'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables).contains("replica_progress", "doc_state", "change_log", "stable_point");
      for (String table : tables) {
        // Table names come from the catalog, not from input; every column is read as text.
        try (ResultSet rs = st.executeQuery("select * from " + table)) {
          int columns = rs.getMetaData().getColumnCount();
          int spaceColumn = -1;
          for (int i = 1; i <= columns; i++) {
            if (rs.getMetaData().getColumnName(i).equals("space")) {
              spaceColumn = i;
            }
          }
          while (rs.next()) {
            for (int i = 1; i <= columns; i++) {
              String value = rs.getString(i);
              if (value != null && value.contains(needle)) {
                found.add(spaceColumn < 0 ? table : table + "@" + rs.getString(spaceColumn));
              }
            }
          }
        }
      }
    }
    return found;
  }

  @Test
  void erasingAUser_leavesNothingOfTheUser_andTellsConnectedAndReconnectingDevicesToPurge()
      throws Exception {
    try (WsClient bobWs =
        WsClient.connect(
            server,
            TestTokens.mintRoles(bob, Map.of(team, "write", readOnly, "write"), List.of()))) {
      bobWs.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              bobPhone,
              List.of(new MessageParts.Subscription(team, 0)),
              null));
      bobWs.expect(Message.Welcome.class);
      // The phone writes to its own space, to the shared space, and is refused in a read-only one
      // (a refused-changeset row); the tablet succeeds it (a lineage row).
      try (WsClient phoneWs = aliceSession(phone, null)) {
        phoneWs.expect(Message.Welcome.class);
        phoneWs.send(cart(phone, 1, own, "milk"));
        phoneWs.await(Message.Ack.class);
        phoneWs.send(cart(phone, 2, team, "tea"));
        phoneWs.await(Message.Ack.class);
        phoneWs.send(cart(phone, 3, readOnly, "gin"));
        assertThat(phoneWs.await(Message.Error.class).code()).isEqualTo("read_only");
      }
      assertThat(bobWs.await(Message.Changes.class).items()).hasSize(1);

      WsClient tabletWs = aliceSession(tablet, phone);
      tabletWs.expect(Message.Welcome.class);
      tabletWs.send(cart(tablet, 1, own, "oats"));
      tabletWs.await(Message.Ack.class);
      assertThat(occurrences(alice)).contains("replica_progress", "doc_state@" + own);
      assertThat(occurrences(phone)).contains("rejected_changeset", "change_log@" + team);
      assertThat(occurrences(tablet)).contains("stable_point@" + team, "stable_point@" + own);

      given()
          .auth()
          .oauth2(admin())
          .when()
          .delete("/v1/admin/users/{subject}", alice)
          .then()
          .statusCode(200)
          .body("replicas", equalTo(2))
          .body("documents", equalTo(1))
          .body("changes", equalTo(2));

      // The connected tablet is told to purge every space it follows, then closed.
      Set<String> revoked = new TreeSet<>();
      for (int i = 0; i < 3; i++) {
        revoked.add(tabletWs.await(Message.Revoked.class).space());
      }
      assertThat(revoked).containsExactlyInAnyOrder(own, team, readOnly);
      assertThat(tabletWs.closed.get(10, TimeUnit.SECONDS)[0]).isEqualTo(CloseCode.TOKEN.code());

      assertNothingOfAlice();

      // A device that was offline reconnects: welcomed into nothing, told to purge, closed, and
      // nothing of it is recorded.
      try (WsClient returning = aliceSession(phone, null)) {
        assertThat(returning.expect(Message.Welcome.class).spaces()).isEmpty();
        Set<String> told = new TreeSet<>();
        for (int i = 0; i < 3; i++) {
          told.add(returning.expect(Message.Revoked.class).space());
        }
        assertThat(told).containsExactlyInAnyOrder(own, team, readOnly);
        assertThat(returning.closed.get(10, TimeUnit.SECONDS)[0]).isEqualTo(CloseCode.TOKEN.code());
      }
      // A push over REST from a fresh replica of the erased user writes nothing.
      String fresh = "r" + UUID.randomUUID().toString().replace("-", "");
      given()
          .auth()
          .oauth2(aliceToken())
          .contentType(ContentType.JSON)
          .body(
              "{\"changesets\":["
                  + CODEC.encodeChangeset(cart(fresh, 1, team, "rum").changesets().get(0))
                  + "]}")
          .when()
          .post("/v1/changesets")
          .then()
          .statusCode(403)
          .body("code", equalTo("forbidden_space"));
      assertThat(occurrences(fresh)).isEmpty();
      assertNothingOfAlice();

      // The other member keeps the shared space, with what alice wrote into it.
      bobWs.send(cart(bobPhone, 1, team, "jam"));
      assertThat(bobWs.await(Message.Ack.class).results()).hasSize(1);
      assertThat(occurrences(phone)).contains("doc_state@" + team);
    }

    // Erasing again removes nothing.
    given()
        .auth()
        .oauth2(admin())
        .when()
        .delete("/v1/admin/users/{subject}", alice)
        .then()
        .statusCode(200)
        .body("rows", equalTo(0));
  }

  private void assertNothingOfAlice() throws SQLException {
    assertThat(occurrences(alice)).as("the subject, in any column of any table").isEmpty();
    // A shared document's checkpoint is a copy of its state: present once the scrub or a
    // compaction has checkpointed it (on its own timer), so it may or may not be there yet.
    Set<String> shared =
        Set.of(
            "doc_state@" + team,
            "change_log@" + team,
            "doc_checkpoint@" + team,
            "doc_state@" + readOnly,
            "change_log@" + readOnly,
            "doc_checkpoint@" + readOnly);
    for (String replica : List.of(phone, tablet)) {
      assertThat(shared)
          .as("the replica id remains only in what it wrote into spaces shared with others")
          .containsAll(occurrences(replica));
    }
    assertThat(occurrences(UserErasure.hash(alice))).containsExactly("erased_subject");
  }

  @Test
  void aTokenOutsideTheAdminGroup_isForbidden_andAMalformedSubjectIsInvalid() throws Exception {
    try (WsClient phoneWs = aliceSession(phone, null)) {
      phoneWs.expect(Message.Welcome.class);
      phoneWs.send(cart(phone, 1, own, "milk"));
      phoneWs.await(Message.Ack.class);
    }
    given()
        .auth()
        .oauth2(aliceToken())
        .when()
        .delete("/v1/admin/users/{subject}", alice)
        .then()
        .statusCode(403)
        .body("code", equalTo("forbidden"));
    given().when().delete("/v1/admin/users/{subject}", alice).then().statusCode(401);
    assertThat(occurrences(alice)).contains("replica_progress", "doc_state@" + own);
    given()
        .auth()
        .oauth2(admin())
        .when()
        .delete("/v1/admin/users/{subject}", "x".repeat(252))
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid"));
  }
}
