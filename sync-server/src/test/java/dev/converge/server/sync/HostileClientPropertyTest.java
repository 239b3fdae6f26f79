package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients generated at random (QuickTheories) against the real server and PostgreSQL: every
 * attack ({@link HostileFrames}) is answered with a documented error code or closed with a
 * documented close code, never {@code internal}, a 5xx or silence (every wait is bounded); the
 * victim's document and the heads of its spaces are unchanged after each; and an honest client
 * still pushes and reads afterwards.
 *
 * <p>{@code -Dhostile.seed=S} replays a run, {@code -Dhostile.examples=N} runs longer (defaults: a
 * fixed seed, 60 WebSocket and 40 REST examples, about 45 s here).
 */
@QuarkusTest
class HostileClientPropertyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = Long.getLong("hostile.seed", 13L);
  private static final int EXAMPLES = Integer.getInteger("hostile.examples", 60);

  @TestHTTPResource("/")
  URI server;

  @ConfigProperty(name = "converge.sync.max-frame-bytes")
  int frameLimit;

  private String victim;
  private String mallory;
  private String shared;
  private String victimReplica;
  private Document victimCart;
  private final AtomicInteger attackers = new AtomicInteger();

  /** How each attack was answered (kind and code), printed after a run as its figures. */
  private final java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();

  @BeforeEach
  void victimWithACart() throws Exception {
    victim = TestTokens.subject("victim");
    mallory = TestTokens.subject("mallory");
    shared = "team:" + victim;
    victimReplica = "victimPhone-" + victim;
    victimCart = new Document();
    try (WsClient client = victimSession()) {
      for (int seq = 1; seq <= 3; seq++) {
        victimPush(client, seq);
      }
    }
  }

  @Test
  void everyHostileFrame_getsACodeOrACloseCode_changesNothing_andTheServerStaysHealthy() {
    String before = victimState();
    qt().withFixedSeed(SEED)
        .withExamples(EXAMPLES)
        .withShrinkCycles(10)
        .forAll(integers().between(0, 1_000), longs().all())
        .checkAssert(
            (kind, seed) -> {
              String attacker = "m" + attackers.incrementAndGet() + "-" + mallory;
              HostileFrames.Attack attack = frames(attacker).attack(kind, seed);
              try {
                assertAnswered(attack, attacker);
              } catch (Exception e) {
                throw new AssertionError(attack + ": " + e, e);
              }
              assertThat(victimState()).as("victim state after " + attack).isEqualTo(before);
            });
    System.out.println("hostile WebSocket outcomes (seed " + SEED + "): " + outcomes);
    honestClientStillPushesAndReads(4);
  }

  @Test
  void everyHostileRestPush_getsACodedRefusal_changesNothing() {
    String before = victimState();
    String token = TestTokens.mint(mallory, List.of(shared), Duration.ofHours(1));
    qt().withFixedSeed(SEED)
        .withExamples(EXAMPLES * 2 / 3)
        .withShrinkCycles(10)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              String attacker = "r" + attackers.incrementAndGet() + "-" + mallory;
              String body = frames(attacker).restPush(seed);
              Response response =
                  given()
                      .auth()
                      .oauth2(token)
                      .contentType("application/json")
                      .body(body)
                      .when()
                      .post("/v1/changesets");
              assertRestRefusal(response, body);
              assertThat(victimState()).as("victim state after " + body).isEqualTo(before);
            });
    honestClientStillPushesAndReads(4);
  }

  private HostileFrames frames(String attacker) {
    return new HostileFrames(attacker, shared, "user:" + victim, victimReplica, 1_000, frameLimit);
  }

  /**
   * Sends the attack on a fresh connection, then a {@code sync} probe (or the {@code hello}, for an
   * attack before it): messages are handled in order, so the answers to the attack come before the
   * probe's. Asserts at least one documented, non-internal error, and no ack that applied anything,
   * or a documented close.
   */
  private void assertAnswered(HostileFrames.Attack attack, String attacker) throws Exception {
    try (RawWebSocket socket =
        RawWebSocket.open(
            server, TestTokens.mint(mallory, List.of(shared), Duration.ofHours(1)), false, 0)) {
      socket.readTimeout(Duration.ofSeconds(20));
      String hello =
          WsClient.CODEC.encode(
              new Message.Hello(
                  Message.PROTOCOL_VERSION,
                  attacker,
                  List.of(new MessageParts.Subscription(shared, 0))));
      if (!attack.beforeHello()) {
        socket.sendText(hello);
        readUntil(socket, m -> m instanceof Message.Welcome, new ArrayList<>());
      }
      for (HostileFrames.Frame frame : attack.frames()) {
        socket.sendFrame(true, 0, frame.opcode(), frame.payload());
      }
      List<Message.Error> errors = new ArrayList<>();
      Integer closeCode;
      if (attack.beforeHello()) {
        socket.sendText(hello);
        closeCode = readUntil(socket, m -> m instanceof Message.Welcome, errors);
      } else {
        socket.sendText(WsClient.CODEC.encode(new Message.Sync(991_337, List.of())));
        closeCode =
            readUntil(socket, m -> m instanceof Message.Synced s && s.ref() == 991_337, errors);
      }
      if (closeCode != null) {
        outcomes.merge(attack.kind() + "->close " + closeCode, 1, Integer::sum);
        assertThat(CloseCode.of(closeCode))
            .as("close code %d is documented", closeCode)
            .isPresent()
            .get()
            .isNotIn(CloseCode.NORMAL, CloseCode.GOING_AWAY);
        return;
      }
      assertThat(errors).as("an error answers the attack").isNotEmpty();
      outcomes.merge(attack.kind() + "->" + errors.get(0).code(), 1, Integer::sum);
      for (Message.Error error : errors) {
        assertThat(ErrorCode.fromWire(error.code()))
            .as("code %s is documented", error.code())
            .isPresent()
            .get()
            .isNotEqualTo(ErrorCode.INTERNAL);
        assertThat(error.message()).isNotBlank();
      }
    }
  }

  /**
   * Reads messages until one satisfies {@code done} (returns null) or a close frame (returns its
   * code); errors go to {@code errors}; an ack that applied anything fails. A read that waits
   * longer than the socket timeout fails: the server never answers with silence.
   */
  private static Integer readUntil(
      RawWebSocket socket, java.util.function.Predicate<Message> done, List<Message.Error> errors)
      throws Exception {
    while (true) {
      RawWebSocket.Frame frame;
      try {
        frame = socket.read();
      } catch (SocketTimeoutException silence) {
        throw new AssertionError("no answer within 20 s", silence);
      }
      if (frame.opcode() == 8) {
        return frame.closeCode();
      }
      if (frame.opcode() != 1) {
        continue;
      }
      Message message = WsClient.CODEC.decode(frame.text());
      if (message instanceof Message.Error error) {
        errors.add(error);
      } else if (message instanceof Message.Ack ack) {
        assertThat(ack.results()).as("nothing of an attack is applied").isEmpty();
      }
      if (done.test(message)) {
        return null;
      }
    }
  }

  private static void assertRestRefusal(Response response, String body) {
    int status = response.statusCode();
    String what = "POST /v1/changesets " + body.substring(0, Math.min(160, body.length()));
    assertThat(status).as(what).isLessThan(500);
    JsonNode answer;
    try {
      answer = JSON.readTree(response.asString());
    } catch (Exception e) {
      throw new AssertionError(what + ": answer is not JSON: " + response.asString(), e);
    }
    if (status == 200) {
      assertThat(answer.path("results").size()).as(what + ": applied nothing").isZero();
      assertThat(answer.path("rejected").size()).as(what + ": says what it refused").isPositive();
      answer.path("rejected").forEach(r -> assertDocumented(what, r.path("code").asText()));
    } else {
      assertThat(status).as(what).isBetween(400, 499);
      assertDocumented(what, answer.path("code").asText());
    }
  }

  private static void assertDocumented(String what, String code) {
    assertThat(ErrorCode.fromWire(code))
        .as(what + ": code '" + code + "' is documented")
        .isPresent()
        .get()
        .isNotEqualTo(ErrorCode.INTERNAL);
  }

  /** The victim's cart as REST serves it, and the heads of the victim's two spaces. */
  private String victimState() {
    String token = TestTokens.mint(victim, List.of(shared), Duration.ofHours(1));
    String cart =
        given()
            .auth()
            .oauth2(token)
            .get("/v1/spaces/" + shared + "/documents/carts/main")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    Object sharedHead =
        given().auth().oauth2(token).get("/v1/spaces/" + shared + "/changes").path("head");
    Object ownHead =
        given().auth().oauth2(token).get("/v1/spaces/user:" + victim + "/changes").path("head");
    return cart + " heads " + sharedHead + "/" + ownHead;
  }

  private void honestClientStillPushesAndReads(long seq) {
    try (WsClient client = victimSession()) {
      victimPush(client, seq);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    Number qty =
        given()
            .auth()
            .oauth2(TestTokens.mint(victim, List.of(shared), Duration.ofHours(1)))
            .get("/v1/spaces/" + shared + "/documents/carts/main")
            .then()
            .statusCode(200)
            .extract()
            .path("value.items.coffee.qty");
    assertThat(qty.longValue()).isEqualTo(seq);
  }

  private WsClient victimSession() throws InterruptedException {
    WsClient client =
        WsClient.connect(server, TestTokens.mint(victim, List.of(shared), Duration.ofHours(1)));
    client.send(
        new Message.Hello(
            Message.PROTOCOL_VERSION,
            victimReplica,
            List.of(new MessageParts.Subscription(shared, 0))));
    client.await(Message.Welcome.class);
    return client;
  }

  private void victimPush(WsClient client, long seq) throws InterruptedException {
    Document delta = Cart.of(victimCart).add(victimReplica, "coffee", 1);
    client.send(
        new Message.Push(
            List.of(
                new Changeset(
                    victimReplica,
                    seq,
                    shared,
                    "carts",
                    "main",
                    new Hlc(1000, (int) seq),
                    delta))));
    Message.Ack ack = client.await(Message.Ack.class);
    assertThat(ack.upToSeq()).isEqualTo(seq);
    assertThat(ack.results()).hasSize(1);
  }
}
