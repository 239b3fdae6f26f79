package dev.converge.server.sync;

import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.DocDigest;
import dev.converge.core.digest.SpaceDigest;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.db.SchemaMigration;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The digest exchange's bytes and time for a space of 100,000 documents with 1 and with 100
 * differing (docs/benchmarks.md). Runs only when asked for:
 *
 * <pre>
 * mvn -B -o -pl sync-server -am verify -DskipITs -Dtest=DigestExchangeBench \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dconverge.bench=true
 * </pre>
 *
 * Each level of the tree is sent at once (the device pipelines its questions), as the SDK does.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "converge.bench", matches = "true")
class DigestExchangeBench {

  private static final int DOCS = 100_000;
  private static final int RUNS = 7;
  private static final ProtocolCodec CODEC = new ProtocolCodec();

  @TestHTTPResource("/")
  URI server;

  @Inject
  @DataSource(SchemaMigration.MIGRATIONS)
  AgroalDataSource jdbc;

  private static String state(int i, int value) {
    return "{\"s\":{\"n\":{\"t\":\"reg\",\"e\":[[\"benchReplica0001\",1,\"1000:0\","
        + value
        + "]]}},\"c\":{\"benchReplica0001\":[1]}}";
  }

  @Test
  void exchangeOf100000Documents() throws Exception {
    String subject = TestTokens.subject("bench");
    String space = "user:" + subject;
    try (Connection c = jdbc.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into doc_state (space, collection, doc_id, state, head_seq)"
                    + " select ?, 'notes', 'd' || i,"
                    + " '{\"s\":{\"n\":{\"t\":\"reg\",\"e\":[[\"benchReplica0001\",1,\"1000:0\",'"
                    + " || i || ']]}},\"c\":{\"benchReplica0001\":[1]}}', i"
                    + " from generate_series(0, ?) i")) {
      ps.setString(1, space);
      ps.setInt(2, DOCS - 1);
      ps.executeUpdate();
      try (PreparedStatement analyze = c.prepareStatement("analyze doc_state")) {
        analyze.execute();
      }
    }
    Map<String, String> results = new TreeMap<>();
    try (WsClient client = WsClient.connect(server, TestTokens.mint(subject))) {
      client.send(new Message.Hello(Message.PROTOCOL_VERSION, "bench-" + subject, List.of()));
      client.expect(Message.Welcome.class);
      for (int differing : new int[] {0, 1, 100}) {
        SpaceDigest device = new SpaceDigest();
        Map<Integer, List<MessageParts.DigestDoc>> byLeaf = new java.util.HashMap<>();
        for (int i = 0; i < DOCS; i++) {
          // Every 997th document differs, up to the count asked for.
          boolean differs = i % 997 == 0 && i / 997 < differing;
          DocDigest digest = DocDigest.ofEncoded(state(i, differs ? -i - 1 : i));
          device.add("notes", "d" + i, digest);
          byLeaf
              .computeIfAbsent(DigestTree.leafOf("notes", "d" + i), k -> new ArrayList<>())
              .add(new MessageParts.DigestDoc("notes", "d" + i, digest.hex()));
        }
        long[] nanos = new long[RUNS];
        long[] bytes = new long[2];
        int[] found = new int[1];
        for (int run = 0; run < RUNS + 1; run++) {
          long[] counted = new long[2];
          long start = System.nanoTime();
          found[0] = exchange(client, device, byLeaf, space, counted);
          long took = System.nanoTime() - start;
          if (run > 0) {
            nanos[run - 1] = took;
            bytes[0] = counted[0];
            bytes[1] = counted[1];
          }
        }
        Arrays.sort(nanos);
        results.put(
            differing + " differing",
            String.format(
                "found %d, sent %d B, received %d B, median %.1f ms (min %.1f, max %.1f)",
                found[0],
                bytes[0],
                bytes[1],
                nanos[RUNS / 2] / 1e6,
                nanos[0] / 1e6,
                nanos[RUNS - 1] / 1e6));
      }
    } finally {
      try (Connection c = jdbc.getConnection();
          PreparedStatement ps = c.prepareStatement("delete from doc_state where space = ?")) {
        ps.setString(1, space);
        ps.executeUpdate();
      }
    }
    results.forEach(
        (k, v) -> System.out.println("DIGEST BENCH " + DOCS + " docs, " + k + ": " + v));
  }

  /** One exchange down to the documents; returns how many differ, counts bytes each way. */
  private static int exchange(
      WsClient client,
      SpaceDigest device,
      Map<Integer, List<MessageParts.DigestDoc>> byLeaf,
      String space,
      long[] bytes)
      throws InterruptedException {
    List<String> frontier = List.of("");
    long ref = 1;
    int found = 0;
    while (!frontier.isEmpty()) {
      List<Message.Digest> questions = new ArrayList<>();
      for (String path : frontier) {
        questions.add(
            DigestTree.isLeaf(path)
                ? new Message.Digest(
                    ref++,
                    space,
                    path,
                    List.of(),
                    byLeaf.getOrDefault(DigestTree.index(path), List.of()))
                : new Message.Digest(
                    ref++, space, path, SpaceDigest.wire(device.children(path)), List.of()));
      }
      for (Message.Digest question : questions) {
        bytes[0] += CODEC.encode(question).getBytes(StandardCharsets.UTF_8).length;
        client.send(question);
      }
      List<String> next = new ArrayList<>();
      for (Message.Digest question : questions) {
        Message.Digests answer = client.expect(Message.Digests.class);
        bytes[1] += CODEC.encode(answer).getBytes(StandardCharsets.UTF_8).length;
        if (DigestTree.isLeaf(answer.path())) {
          found += answer.docs().size();
        } else {
          next.addAll(
              DigestTree.differing(
                  answer.path(),
                  SpaceDigest.wire(device.children(answer.path())),
                  answer.hashes()));
        }
      }
      frontier = next;
    }
    return found;
  }
}
