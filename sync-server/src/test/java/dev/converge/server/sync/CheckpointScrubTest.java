package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.db.SchemaMigration;
import dev.converge.server.document.CheckpointVerifier;
import dev.converge.server.document.DocKey;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints and rebuild (docs/architecture.md, "Checkpoints and rebuild"): a corrupted stored
 * state is found by {@link CheckpointVerifier#verify} and by the scrub, and rebuilt from its
 * checkpoint plus the log after it, even once the log before the checkpoint is compacted away; a
 * correct one is left alone.
 */
@QuarkusTest
class CheckpointScrubTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ProtocolCodec CODEC = new ProtocolCodec();

  @TestHTTPResource("/")
  URI server;

  @Inject CheckpointVerifier verifier;
  @Inject Maintenance maintenance;

  @Inject
  @DataSource(SchemaMigration.MIGRATIONS)
  AgroalDataSource jdbc;

  private String alice;
  private String space;
  private String phone;
  private final Document cart = new Document();
  private long seq;

  @BeforeEach
  void freshUser() {
    alice = TestTokens.subject("alice");
    space = "user:" + alice;
    phone = "phone-" + alice;
  }

  private void push(WsClient client, String sku, long quantity) throws InterruptedException {
    pushDelta(client, Cart.of(cart).add(phone, sku, quantity));
  }

  private void pushDelta(WsClient client, Document delta) throws InterruptedException {
    seq++;
    client.send(
        new Message.Push(
            List.of(
                new Changeset(
                    phone,
                    seq,
                    space,
                    "carts",
                    "main",
                    new Hlc(1_764_065_400_000L + seq, 0),
                    delta))));
    assertThat(client.await(Message.Ack.class).upToSeq()).isEqualTo(seq);
  }

  /** Pushes one changeset adding {@code count} items whose SKUs are {@code padding} long. */
  private void pushMany(WsClient client, String prefix, int count, int padding)
      throws InterruptedException {
    Document delta = new Document();
    for (int i = 0; i < count; i++) {
      delta.join(Cart.of(cart).add(phone, prefix + i + "-" + "x".repeat(padding), 1));
    }
    pushDelta(client, delta);
  }

  private String query(String sql) throws SQLException {
    try (Connection c = jdbc.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, space);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private void corrupt(String state) throws SQLException {
    try (Connection c = jdbc.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "update doc_state set state = ? where space = ? and doc_id = 'main'")) {
      ps.setString(1, state);
      ps.setString(2, space);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  private String stored() throws SQLException {
    return query("select state from doc_state where space = ? and doc_id = 'main'");
  }

  @Test
  void documentLargerThanOneMessage_isCheckedAndKeptWhole() throws Exception {
    DocKey main = new DocKey(space, "carts", "main");
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, phone, List.of()));
      client.expect(Message.Welcome.class);
      for (int batch = 0; batch < 3; batch++) {
        pushMany(client, "b" + batch + "-", 1_500, 200);
      }
    }
    String good = stored();
    assertThat(good.length())
        .as("the stored state is larger than one message may be (test profile: 1 MiB)")
        .isGreaterThan(1_048_576);
    assertThat(verifier.verify(space, List.of(main)).await().atMost(WAIT))
        .as("a correct state, however large, is left alone")
        .isEmpty();
    assertThat(stored()).isEqualTo(good);

    corrupt("{\"s\":");
    assertThat(verifier.verify(space, List.of(main)).await().atMost(WAIT)).containsExactly(main);
    assertThat(stored()).as("rebuilt from the log, past the message limit").isEqualTo(good);
  }

  @Test
  void corruptedState_isRebuiltFromCheckpointAndLog() throws Exception {
    DocKey main = new DocKey(space, "carts", "main");
    try (WsClient client = WsClient.connect(server, TestTokens.mint(alice))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, phone, List.of()));
      client.expect(Message.Welcome.class);
      push(client, "apple", 1);
      push(client, "pear", 2);
      // The checkpoint is taken, and the log up to it compacted away.
      assertThat(maintenance.compact(space, Duration.ZERO).await().atMost(WAIT)).isEqualTo(2);
      assertThat(query("select server_seq::text from doc_checkpoint where space = ?"))
          .isEqualTo("2");
      push(client, "apple", 3);
      push(client, "fig", 1);
    }
    String good = stored();
    assertThat(Cart.of(CODEC.decodeDocument(good)).items())
        .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("apple", 4L, "pear", 2L, "fig", 1L));
    assertThat(verifier.verify(space, List.of(main)).await().atMost(WAIT))
        .as("a correct state is left alone")
        .isEmpty();

    // A lost write (the state of an older moment) and a state that is no document at all.
    Document older = new Document();
    Cart.of(older).add(phone, "apple", 1);
    corrupt(CODEC.encodeDocument(older));
    assertThat(verifier.verify(space, List.of(main)).await().atMost(WAIT)).containsExactly(main);
    assertThat(stored()).isEqualTo(good);

    corrupt("{\"s\":");
    for (int pass = 0; pass < 10_000 && !good.equals(stored()); pass++) {
      maintenance.scrub().await().atMost(WAIT);
    }
    assertThat(stored()).as("the scrub rebuilt it").isEqualTo(good);
    assertThat(query("select stored_bytes::text from space_seq where space = ?"))
        .isEqualTo(Long.toString(good.getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
  }
}
