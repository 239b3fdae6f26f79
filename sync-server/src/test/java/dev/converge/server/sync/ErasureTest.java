package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.SpaceErasure;
import dev.converge.server.db.SchemaMigration;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Erasure of a space against the real server and PostgreSQL (docs/access-control.md section 4):
 * nothing of the space remains in any table with a {@code space} column, connected and reconnecting
 * sessions are told {@code revoked}, and only an admin token may erase.
 */
@QuarkusTest
class ErasureTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();

  @TestHTTPResource("/")
  URI server;

  @Inject dev.converge.server.document.CheckpointVerifier checkpoints;

  @Inject
  @DataSource(SchemaMigration.MIGRATIONS)
  AgroalDataSource jdbc;

  private String writer;
  private String member;
  private String space;

  @BeforeEach
  void sharedSpace() {
    writer = TestTokens.subject("writer");
    member = TestTokens.subject("member");
    space = "team:" + writer;
  }

  private static String replica(String subject) {
    return "phone" + Math.abs(subject.hashCode());
  }

  private WsClient session(String subject, long since) throws InterruptedException {
    WsClient client =
        WsClient.connect(server, TestTokens.mintRoles(subject, Map.of(space, "write"), List.of()));
    client.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            replica(subject),
            List.of(new MessageParts.Subscription(space, since)),
            null));
    return client;
  }

  /** The writer pushes one cart change, the member receives it: the space has rows everywhere. */
  private void fillSpace(WsClient writerWs, WsClient memberWs) throws InterruptedException {
    writerWs.await(Message.Welcome.class);
    memberWs.await(Message.Welcome.class);
    Document delta = Cart.of(new Document()).add(replica(writer), "tea", 2);
    writerWs.send(
        new Message.Push(
            List.of(
                new Changeset(
                    replica(writer), 1, space, "carts", "main", new Hlc(1000, 1), delta))));
    assertThat(writerWs.await(Message.Ack.class).results()).hasSize(1);
    assertThat(memberWs.await(Message.Changes.class).items()).hasSize(1);
  }

  /** Every table of the schema with a {@code space} column, with its rows of the space. */
  private Map<String, Long> rowsOfTheSpace() throws SQLException {
    Map<String, Long> rows = new TreeMap<>();
    try (Connection c = jdbc.getConnection()) {
      List<String> tables = new java.util.ArrayList<>();
      try (PreparedStatement ps =
              c.prepareStatement(
                  "select table_name from information_schema.columns"
                      + " where table_schema = current_schema() and column_name = 'space'");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String table : tables) {
        // Table names come from the catalog, not from input.
        try (PreparedStatement ps =
            c.prepareStatement("select count(*) from " + table + " where space = ?")) {
          ps.setString(1, space);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            rows.put(table, rs.getLong(1));
          }
        }
      }
    }
    return rows;
  }

  private boolean tombstoned() throws SQLException {
    try (Connection c = jdbc.getConnection();
        PreparedStatement ps = c.prepareStatement("select 1 from erased_space where name = ?")) {
      ps.setString(1, space);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static String admin() {
    return TestTokens.mintRoles(
        TestTokens.subject("operator"), Map.of(), List.of("converge-admin"));
  }

  @Test
  void erasingASpace_leavesNoRowInAnyTable_andRevokesConnectedAndReconnectingSessions()
      throws Exception {
    try (WsClient writerWs = session(writer, 0);
        WsClient memberWs = session(member, 0)) {
      fillSpace(writerWs, memberWs);
      // The maintenance job's checkpoints are rows of the space too.
      checkpoints.checkpointDue(space, 100).await().atMost(java.time.Duration.ofSeconds(30));
      Map<String, Long> before = rowsOfTheSpace();
      assertThat(before.keySet())
          .as("every table with a space column is one the erasure empties")
          .isEqualTo(new TreeSet<>(SpaceErasure.TABLES));
      assertThat(before.values()).as("the space has rows in every table").allMatch(n -> n > 0);

      given()
          .auth()
          .oauth2(admin())
          .when()
          .delete("/v1/admin/spaces/{space}", space)
          .then()
          .statusCode(200)
          .body("space", equalTo(space))
          .body("documents", equalTo(1))
          .body("changes", equalTo(1))
          .body("rows", equalTo((int) before.values().stream().mapToLong(n -> n).sum()));

      assertThat(writerWs.await(Message.Revoked.class).space()).isEqualTo(space);
      assertThat(memberWs.await(Message.Revoked.class).space()).isEqualTo(space);
      assertThat(rowsOfTheSpace().values())
          .as("nothing of the space remains")
          .allMatch(n -> n == 0);
      assertThat(tombstoned()).isTrue();
    }

    // A device that was offline reconnects from its cursor: not welcomed into the space, told to
    // purge it, and its hello recreates nothing.
    try (WsClient returning = session(member, 1)) {
      assertThat(returning.expect(Message.Welcome.class).spaces()).isEmpty();
      assertThat(returning.expect(Message.Revoked.class).space()).isEqualTo(space);
    }
    assertThat(rowsOfTheSpace().values()).allMatch(n -> n == 0);

    // Erasing again is answered the same way and removes nothing.
    given()
        .auth()
        .oauth2(admin())
        .when()
        .delete("/v1/admin/spaces/{space}", space)
        .then()
        .statusCode(200)
        .body("rows", equalTo(0));
  }

  @Test
  void aPushIntoAnErasedSpace_isRefused_andBringsNothingBack() throws Exception {
    try (WsClient writerWs = session(writer, 0);
        WsClient memberWs = session(member, 0)) {
      fillSpace(writerWs, memberWs);
    }
    given()
        .auth()
        .oauth2(admin())
        .when()
        .delete("/v1/admin/spaces/{space}", space)
        .then()
        .statusCode(200);

    // The writer's token still grants the space: its device pushes again, over WebSocket ...
    try (WsClient writerWs = session(writer, 0)) {
      writerWs.expect(Message.Welcome.class);
      assertThat(writerWs.expect(Message.Revoked.class).space()).isEqualTo(space);
      Document delta = Cart.of(new Document()).add(replica(writer), "gin", 1);
      writerWs.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      replica(writer), 2, space, "carts", "main", new Hlc(2000, 2), delta))));
      assertThat(writerWs.await(Message.Error.class).code()).isEqualTo("forbidden_space");
    }
    // ... and over REST, with a fresh replica.
    String restReplica = replica(writer) + "Rest";
    Document delta = Cart.of(new Document()).add(restReplica, "rum", 1);
    given()
        .auth()
        .oauth2(TestTokens.mintRoles(writer, Map.of(space, "write"), List.of()))
        .contentType(ContentType.JSON)
        .body(
            "{\"changesets\":["
                + CODEC.encodeChangeset(
                    new Changeset(restReplica, 1, space, "carts", "main", new Hlc(3000, 1), delta))
                + "]}")
        .when()
        .post("/v1/changesets")
        .then()
        .statusCode(403)
        .body("code", equalTo("forbidden_space"));
    assertThat(rowsOfTheSpace().values()).as("the space stays erased").allMatch(n -> n == 0);
  }

  @Test
  void aTokenOutsideTheAdminGroup_isForbidden_andNothingChanges() throws Exception {
    try (WsClient writerWs = session(writer, 0);
        WsClient memberWs = session(member, 0)) {
      fillSpace(writerWs, memberWs);
      // The maintenance job's checkpoints are rows of the space too.
      checkpoints.checkpointDue(space, 100).await().atMost(java.time.Duration.ofSeconds(30));
      Map<String, Long> before = rowsOfTheSpace();
      for (List<String> groups : List.of(List.<String>of(), List.of("converge-admins", "ops"))) {
        given()
            .auth()
            .oauth2(TestTokens.mintRoles(writer, Map.of(space, "write"), groups))
            .when()
            .delete("/v1/admin/spaces/{space}", space)
            .then()
            .statusCode(403)
            .body("code", equalTo("forbidden"));
      }
      given()
          .when()
          .delete("/v1/admin/spaces/{space}", space)
          .then()
          .statusCode(401)
          .body("code", equalTo("unauthenticated"));
      assertThat(rowsOfTheSpace()).isEqualTo(before);
      assertThat(tombstoned()).isFalse();
    }
  }

  @Test
  void aSpaceNameLongerThanTheProtocolAllows_isInvalid() {
    given()
        .auth()
        .oauth2(admin())
        .when()
        .delete("/v1/admin/spaces/{space}", "team:" + "x".repeat(300))
        .then()
        .statusCode(400)
        .body("code", equalTo("invalid"));
  }
}
