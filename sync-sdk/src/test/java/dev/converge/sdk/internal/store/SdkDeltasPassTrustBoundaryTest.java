package dev.converge.sdk.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.policy.Cart;
import dev.converge.core.policy.Profile;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.trust.DeltaVerifier;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.Violation;
import dev.converge.sdk.DocumentKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every delta the SDK's store produces passes the server's trust boundary: two devices edit carts
 * and profiles offline through real SQLite stores, push their outboxes in order to a server model
 * that applies {@link DeltaVerifier} as the server does, and receive each other's changes; no
 * honest delta is ever refused, and all converge. Each seed replays with {@code new Random(seed)}.
 */
class SdkDeltasPassTrustBoundaryTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();
  private static final String SPACE = "team:1";
  private static final List<DocumentKey> DOCS =
      List.of(new DocumentKey(SPACE, "carts", "main"), new DocumentKey(SPACE, "profiles", "me"));
  private static final List<String> SKUS = List.of("coffee", "tea", "milk");

  /** The server: one document per key, a log, and the verifier. */
  private static final class ServerModel {
    final DeltaVerifier verifier = new DeltaVerifier(1L << 31);
    final Map<DocumentKey, Document> docs = new HashMap<>();
    final List<MessageParts.ChangeItem> log = new ArrayList<>();
    final List<String> refusals = new ArrayList<>();

    void push(SqliteStore device) {
      List<OutboxRow> rows = device.outbox(0, 1_000);
      for (OutboxRow row : rows) {
        Document delta = CODEC.decodeDocument(row.deltaJson());
        Document doc = docs.computeIfAbsent(row.key(), k -> new Document());
        Optional<Violation> violation =
            verifier.verify(doc, delta, Lineage.of(device.replica().replicaId()));
        if (violation.isPresent()) {
          refusals.add(violation.get().code() + ": " + violation.get().message());
          continue;
        }
        doc.join(delta);
        log.add(
            new MessageParts.ChangeItem(
                log.size() + 1, row.key().collection(), row.key().docId(), delta, null));
      }
      if (!rows.isEmpty()) {
        device.ack(rows.get(rows.size() - 1).seq());
      }
    }

    void pull(SqliteStore device) {
      long cursor = device.cursor(SPACE);
      if (cursor < log.size()) {
        device.applyChanges(SPACE, log.size(), log.subList((int) cursor, log.size()));
      }
    }
  }

  @Test
  void everyDeltaTheStoreWrites_passesTheTrustBoundary_andDevicesConverge() throws Exception {
    Path dir = Files.createTempDirectory("trust-sdk");
    long[] run = {0};
    qt().withExamples(40)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Random random = new Random(seed);
              ServerModel server = new ServerModel();
              run[0]++;
              try (SqliteStore phone =
                      SqliteStore.open(
                          dir.resolve(run[0] + "-phone.db"),
                          CODEC,
                          System::currentTimeMillis,
                          false);
                  SqliteStore laptop =
                      SqliteStore.open(
                          dir.resolve(run[0] + "-laptop.db"),
                          CODEC,
                          System::currentTimeMillis,
                          false)) {
                List<SqliteStore> devices = List.of(phone, laptop);
                for (int step = 0; step < 60; step++) {
                  SqliteStore device = devices.get(random.nextInt(2));
                  switch (random.nextInt(6)) {
                    case 0 -> server.push(device);
                    case 1 -> server.pull(device);
                    default -> write(device, random);
                  }
                }
                for (SqliteStore device : devices) {
                  server.push(device);
                }
                for (SqliteStore device : devices) {
                  server.pull(device);
                }
                assertThat(server.refusals).as("seed " + seed).isEmpty();
                for (DocumentKey key : DOCS) {
                  Document expected = server.docs.getOrDefault(key, new Document());
                  for (SqliteStore device : devices) {
                    assertThat(device.read(key).orElseGet(Document::new))
                        .as("seed " + seed + " " + key)
                        .isEqualTo(expected);
                  }
                }
              }
            });
  }

  private static void write(SqliteStore device, Random random) {
    String sku = SKUS.get(random.nextInt(SKUS.size()));
    switch (random.nextInt(5)) {
      case 0 ->
          device.writeLocal(
              DOCS.get(0),
              (doc, replica, hlc) -> Cart.of(doc).add(replica, sku, 1 + random.nextInt(3)));
      case 1 ->
          device.writeLocal(
              DOCS.get(0),
              (doc, replica, hlc) -> Cart.of(doc).setQuantity(replica, sku, random.nextInt(4)));
      case 2 -> device.writeLocal(DOCS.get(0), (doc, replica, hlc) -> Cart.of(doc).remove(sku));
      case 3 ->
          device.writeLocal(
              DOCS.get(1),
              (doc, replica, hlc) ->
                  Profile.of(doc)
                      .set(replica, "name", TextNode.valueOf("n" + random.nextInt(5)), hlc));
      default -> device.writeLocal(DOCS.get(1), (doc, replica, hlc) -> doc.remove(List.of("name")));
    }
  }
}
