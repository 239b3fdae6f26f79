package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.matchesPattern;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Profile;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.db.SchemaMigration;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Quotas and rate limits against the real server and PostgreSQL: a flooding user is slowed to its
 * rate with {@code rate_limited} and a retry hint (WebSocket and REST 429), while another user's
 * pushes keep going through; a space's stored bytes are bounded, a document's size too, and each
 * limit has its metric.
 */
@QuarkusTest
@TestProfile(PushLimitsTest.TightLimits.class)
class PushLimitsTest {

  private static final ProtocolCodec CODEC = new ProtocolCodec();
  private static final double RATE = 10;
  private static final double BURST = 10;

  /** Changesets per flooding push: a flood outruns the rate even on a slow machine. */
  private static final int PER_PUSH = 50;

  /** A slow user rate, a small space quota and a small collection. */
  public static final class TightLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "converge.limits.user-changesets-per-second",
          String.valueOf(RATE),
          "converge.limits.user-burst",
          String.valueOf(BURST),
          "converge.limits.max-space-bytes",
          "4096",
          "converge.rules.collections.small.max-document-bytes",
          "512");
    }
  }

  @TestHTTPResource("/")
  URI server;

  @Inject
  @DataSource(SchemaMigration.MIGRATIONS)
  AgroalDataSource jdbc;

  private static WsClient session(URI server, String subject, String replica)
      throws InterruptedException {
    String space = "user:" + subject;
    WsClient client = WsClient.connect(server, TestTokens.mint(subject));
    client.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            replica,
            List.of(new MessageParts.Subscription(space, 0)),
            null));
    client.await(Message.Welcome.class);
    return client;
  }

  private static Changeset counterChange(String subject, String replica, long seq, Document doc) {
    return new Changeset(
        replica,
        seq,
        "user:" + subject,
        "counters",
        "clicks",
        new Hlc(1000, (int) seq),
        doc.addToCounter(replica, List.of("n"), 1));
  }

  private static List<Changeset> batch(
      String subject, String replica, long firstSeq, Document doc) {
    List<Changeset> batch = new ArrayList<>();
    for (int i = 0; i < PER_PUSH; i++) {
      batch.add(counterChange(subject, replica, firstSeq + i, doc));
    }
    return batch;
  }

  /** Waits for the ack or the error that answers a push, skipping the feed. */
  private static Message answer(WsClient client) throws InterruptedException {
    while (true) {
      Message m = client.next();
      if (m instanceof Message.Ack || m instanceof Message.Error) {
        return m;
      }
    }
  }

  @Test
  void aFlood_isSlowedToTheUsersRate_whileAnotherUsersPushesGoThrough() throws Exception {
    String flooder = TestTokens.subject("flooder");
    String bystander = TestTokens.subject("bystander");
    String floodReplica = "flood" + Math.abs(flooder.hashCode());
    String calmReplica = "calm" + Math.abs(bystander.hashCode());
    AtomicBoolean flooding = new AtomicBoolean(true);
    List<Long> calmLatencies = new ArrayList<>();
    List<String> calmErrors = new ArrayList<>();
    AtomicReference<Throwable> calmFailure = new AtomicReference<>();
    Thread calm =
        new Thread(
            () -> {
              try (WsClient client = session(server, bystander, calmReplica)) {
                Document doc = new Document();
                long seq = 0;
                while (flooding.get()) {
                  seq++;
                  long start = System.nanoTime();
                  client.send(
                      new Message.Push(List.of(counterChange(bystander, calmReplica, seq, doc))));
                  Message m = answer(client);
                  if (m instanceof Message.Error e) {
                    calmErrors.add(e.code());
                    seq--;
                  } else {
                    calmLatencies.add((System.nanoTime() - start) / 1_000_000);
                  }
                  Thread.sleep(200); // 5 per second: below its own limit
                }
              } catch (Throwable t) {
                calmFailure.set(t);
              }
            });
    int accepted = 0;
    int limited = 0;
    long maxHint = 0;
    long started;
    long elapsedNanos;
    try (WsClient flood = session(server, flooder, floodReplica)) {
      calm.start();
      Document doc = new Document();
      List<Changeset> next = batch(flooder, floodReplica, 1, doc);
      started = System.nanoTime();
      while (System.nanoTime() - started < Duration.ofSeconds(6).toNanos()) {
        flood.send(new Message.Push(next));
        Message m = answer(flood);
        if (m instanceof Message.Error e) {
          assertThat(e.code()).isEqualTo("rate_limited");
          assertThat(e.ref()).isNull();
          // Debt of up to PER_PUSH - 1 tokens, plus the one token a push needs.
          assertThat(e.retryAfterMs()).isNotNull().isBetween(1L, (long) (PER_PUSH * 1000 / RATE));
          maxHint = Math.max(maxHint, e.retryAfterMs());
          limited++;
          // The same changeset again: nothing of it was consumed.
        } else {
          accepted += PER_PUSH;
          next = batch(flooder, floodReplica, accepted + 1, doc);
        }
      }
      elapsedNanos = System.nanoTime() - started;
    } finally {
      flooding.set(false);
      calm.join(20_000);
    }
    assertThat(calmFailure.get()).isNull();
    double seconds = elapsedNanos / 1e9;
    assertThat(limited)
        .as("the flood met its limit (accepted %d in %.1f s)", accepted, seconds)
        .isPositive();
    assertThat(maxHint).isPositive();
    assertThat((double) accepted)
        .as("at most the burst plus the rate over %.1f s", seconds)
        .isLessThanOrEqualTo(BURST + RATE * seconds + PER_PUSH)
        .isGreaterThanOrEqualTo(PER_PUSH);
    assertThat(calmErrors).as("the other user is never limited").isEmpty();
    assertThat(calmLatencies).as("and keeps pushing").hasSizeGreaterThanOrEqualTo(3);

    // REST: 429 with Retry-After and the same code and hint.
    Response limitedRest = null;
    String restReplica = floodReplica + "Rest";
    Document restDoc = new Document();
    long seq = 1;
    for (int i = 0; i < 10 && limitedRest == null; i++) {
      List<Changeset> batch = batch(flooder, restReplica, seq, restDoc);
      StringBuilder body = new StringBuilder("{\"changesets\":[");
      for (Changeset c : batch) {
        body.append(c.seq() == seq ? "" : ",").append(CODEC.encodeChangeset(c));
      }
      Response r =
          given()
              .auth()
              .oauth2(TestTokens.mint(flooder))
              .contentType(ContentType.JSON)
              .body(body.append("]}").toString())
              .post("/v1/changesets");
      if (r.statusCode() == 429) {
        limitedRest = r;
      } else {
        assertThat(r.statusCode()).isEqualTo(200);
        seq += PER_PUSH;
      }
    }
    assertThat(limitedRest).as("REST pushes meet the same limit").isNotNull();
    limitedRest
        .then()
        .header("Retry-After", matchesPattern("[1-5]"))
        .body("code", equalTo("rate_limited"))
        .body("retryAfterMs", greaterThan(0));

    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metric(metrics, "converge_limits_refused_total", "user-rate"))
        .isGreaterThanOrEqualTo(limited + 1);
  }

  private static double metric(String metrics, String name, String limit) {
    Matcher m =
        Pattern.compile("(?m)^" + name + "\\{[^}]*limit=\"" + limit + "\"[^}]*\\} ([0-9.Ee+-]+)$")
            .matcher(metrics);
    assertThat(m.find()).as("%s{limit=%s} exported", name, limit).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void aSpacesStoredBytes_andADocumentsSize_areBounded_andShrinkingAlwaysPasses() throws Exception {
    String subject = TestTokens.subject("filler");
    String space = "user:" + subject;
    String replica = "filler" + Math.abs(subject.hashCode());
    try (WsClient client = session(server, subject, replica)) {
      List<Document> docs = List.of(new Document(), new Document(), new Document());
      List<String> codes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Document delta =
            Profile.of(docs.get(i))
                .set(replica, "bio", TextNode.valueOf("x".repeat(1500)), new Hlc(1000, i));
        client.send(
            new Message.Push(
                List.of(
                    new Changeset(
                        replica, i + 1, space, "profiles", "p" + i, new Hlc(1000, i), delta))));
        Message m = answer(client);
        if (m instanceof Message.Error e) {
          codes.add(e.code());
          assertThat(e.ref()).isEqualTo(i + 1);
          assertThat(answer(client)).isInstanceOf(Message.Ack.class);
        } else {
          codes.add("ok");
        }
      }
      assertThat(codes).containsExactly("ok", "ok", "quota_exceeded");
      long stored = storedBytes(space);
      assertThat(stored).isEqualTo(sumOfStates(space)).isBetween(3000L, 4096L);

      // A shorter overwrite shrinks the space: accepted at the quota.
      Document shorter =
          Profile.of(docs.get(0)).set(replica, "bio", TextNode.valueOf("short"), new Hlc(2000, 0));
      client.send(
          new Message.Push(
              List.of(
                  new Changeset(replica, 4, space, "profiles", "p0", new Hlc(2000, 0), shorter))));
      assertThat(answer(client)).isInstanceOf(Message.Ack.class);
      assertThat(storedBytes(space)).isEqualTo(sumOfStates(space)).isLessThan(stored);

      // A document of "small" above 512 bytes.
      Document big =
          new Document()
              .writeRegister(
                  replica, List.of("text"), TextNode.valueOf("y".repeat(600)), new Hlc(3000, 0));
      client.send(
          new Message.Push(
              List.of(new Changeset(replica, 5, space, "small", "s", new Hlc(3000, 0), big))));
      Message.Error tooBig = (Message.Error) answer(client);
      assertThat(tooBig.code()).isEqualTo("document_too_large");
      assertThat(tooBig.message()).contains("512");
      assertThat(answer(client)).isInstanceOf(Message.Ack.class);
    }
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metric(metrics, "converge_limits_refused_total", "space-bytes"))
        .isGreaterThanOrEqualTo(1);
    assertThat(metric(metrics, "converge_limits_refused_total", "document-size"))
        .isGreaterThanOrEqualTo(1);
  }

  private long storedBytes(String space) throws Exception {
    return query("select stored_bytes from space_seq where space = '" + space + "'");
  }

  private long sumOfStates(String space) throws Exception {
    return query(
        "select coalesce(sum(octet_length(state)), 0) from doc_state where space = '"
            + space
            + "'");
  }

  private long query(String sql) throws Exception {
    try (Connection c = jdbc.getConnection();
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }
}
