package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.server.LogChain;
import dev.converge.core.server.LogEntry;
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
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The log chain (docs/protocol-2.md "Log epoch") after every kind of append: group-committed pushes
 * of two devices and a counter compaction, each of which takes the chain at head from the counter
 * row it holds locked. Every row's chain and the counter row's chain at head must equal the chain
 * recomputed from the genesis over the stored rows.
 */
@QuarkusTest
class LogChainHeadTest {

  private static final List<String> VIEWS = List.of("views");

  @TestHTTPResource("/")
  URI server;

  @Inject Maintenance maintenance;

  @Inject
  @DataSource(SchemaMigration.MIGRATIONS)
  AgroalDataSource jdbc;

  @Test
  void everyAppend_movesTheChainAtHead_fromTheChainItLocked() throws Exception {
    String subject = TestTokens.subject("chain");
    String space = "team:" + subject;
    try (RawDevice a =
            RawDevice.connect(server, subject, space, "a" + subject.hashCode(), 0L, null);
        RawDevice b =
            RawDevice.connect(server, subject, space, "b" + subject.hashCode(), 0L, null)) {
      for (int i = 0; i < 3; i++) {
        a.increment(VIEWS, 1);
        b.increment(VIEWS, 2);
      }
      a.catchUpAndReport(6);
      b.catchUpAndReport(6);
      assertChainsRecompute(space, 6);

      var pass = maintenance.compactCounters(space).await().atMost(Duration.ofSeconds(30));
      assertThat(pass.compacted()).as("the compaction logged its change").isEqualTo(1);
      assertChainsRecompute(space, 7);

      a.increment(VIEWS, 5);
      a.catchUp(8);
      assertChainsRecompute(space, 8);
    }
  }

  /** Recomputes the chain over the space's rows and compares it with every stored chain. */
  private void assertChainsRecompute(String space, long head) throws SQLException {
    String chain = LogChain.GENESIS;
    long rows = 0;
    try (Connection c = jdbc.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select server_seq, collection, doc_id, replica_id, seq, coalesce(to_seq, seq),"
                    + " hlc, delta, chain from change_log where space = ? order by server_seq")) {
      ps.setString(1, space);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows++;
          LogEntry entry =
              new LogEntry(
                  space,
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getLong(5),
                  rs.getString(7),
                  rs.getString(8),
                  rs.getLong(6));
          chain = LogChain.next(chain, entry);
          assertThat(rs.getString(9))
              .as("chain of serverSeq %d", entry.serverSeq())
              .isEqualTo(chain);
        }
      }
    }
    assertThat(rows).isEqualTo(head);
    try (Connection c = jdbc.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select head, chain from space_seq where space = ?")) {
      ps.setString(1, space);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(head);
        assertThat(rs.getString(2)).as("chain at head").isEqualTo(chain);
      }
    }
  }
}
