package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.server.changeset.SpaceErasure;
import dev.converge.server.db.SchemaMigration;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A {@code hello} racing with the erasure of a space it subscribes to (docs/access-control.md
 * section 4), against the real server and PostgreSQL: whichever commits first, the session ends up
 * told {@code revoked} for the space (its device purges it) and no row of the space is left or
 * created again, in particular no live-set entry.
 */
@QuarkusTest
class HelloErasureRaceTest {

  private static final int ROUNDS = 16;

  @TestHTTPResource("/")
  URI server;

  @Inject
  @DataSource(SchemaMigration.MIGRATIONS)
  AgroalDataSource jdbc;

  private static String admin() {
    return TestTokens.mintRoles(
        TestTokens.subject("operator"), Map.of(), List.of("converge-admin"));
  }

  private long rowsOf(String space) throws Exception {
    long rows = 0;
    try (Connection c = jdbc.getConnection()) {
      for (String table : SpaceErasure.TABLES) {
        // The table names are constants of the erasure, not input.
        try (PreparedStatement ps =
            c.prepareStatement("select count(*) from " + table + " where space = ?")) {
          ps.setString(1, space);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            rows += rs.getLong(1);
          }
        }
      }
    }
    return rows;
  }

  @Test
  void aHelloRacingASpaceErasure_isAlwaysToldRevoked_andRecreatesNothing() throws Exception {
    String admin = admin();
    for (int round = 0; round < ROUNDS; round++) {
      String writer = TestTokens.subject("writer");
      String member = TestTokens.subject("member");
      String space = "team:" + writer;
      String writerReplica = "w" + round + Math.abs(writer.hashCode());
      try (WsClient w =
          WsClient.connect(
              server, TestTokens.mintRoles(writer, Map.of(space, "write"), List.of()))) {
        w.send(new Message.Hello(Message.PROTOCOL_VERSION, writerReplica, List.of(), null));
        w.expect(Message.Welcome.class);
        Document delta = Cart.of(new Document()).add(writerReplica, "tea", 1);
        w.send(
            new Message.Push(
                List.of(
                    new Changeset(
                        writerReplica, 1, space, "carts", "main", new Hlc(1000, 0), delta))));
        w.await(Message.Ack.class);
      }
      try (WsClient m =
          WsClient.connect(
              server, TestTokens.mintRoles(member, Map.of(space, "read"), List.of()))) {
        // The erasure is sent from another thread after a delay that moves across the hello's
        // handling from round to round (0 to 30 ms): some erasures commit before the hello reads
        // the tombstones, some between that read and the live-set entry, some after.
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(2L * round);
        CompletableFuture<Integer> erased =
            CompletableFuture.supplyAsync(
                () -> {
                  LockSupport.parkNanos(delayNanos);
                  return given()
                      .auth()
                      .oauth2(admin)
                      .when()
                      .delete("/v1/admin/spaces/{space}", space)
                      .then()
                      .extract()
                      .statusCode();
                });
        m.send(
            new Message.Hello(
                Message.PROTOCOL_VERSION,
                "m" + round + Math.abs(member.hashCode()),
                List.of(new MessageParts.Subscription(space, 0)),
                null));
        assertThat(erased.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(m.await(Message.Revoked.class).space())
            .as("round %d: the session is told revoked", round)
            .isEqualTo(space);
        assertThat(rowsOf(space)).as("round %d: nothing of the space remains", round).isZero();
      }
    }
  }
}
