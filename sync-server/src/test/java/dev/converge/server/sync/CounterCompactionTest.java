package dev.converge.server.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.server.CompactionRules;
import dev.converge.server.changeset.CounterCompactor;
import dev.converge.server.changeset.StablePoints;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bounded counters against the real server and PostgreSQL (DESIGN §7, issue 10): stable points are
 * recorded monotonically and clamped; replicas leave the live set on re-key, revocation,
 * unsubscription and when the retention horizon passes them; compaction leaves one run per replica
 * with the exact value, logs its delta as an ordinary change that devices join before any remove
 * made against the runs, never passes a lagging live replica's point, and keeps a stale REST remove
 * on the conservative side.
 */
@QuarkusTest
class CounterCompactionTest {

  private static final ProtocolCodec STORED = new ProtocolCodec().forStoredData();
  private static final List<String> VIEWS = List.of("views");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TestHTTPResource("/")
  URI server;

  @Inject Maintenance maintenance;

  @Inject StablePoints stablePoints;

  @Inject
  @DataSource(SchemaMigration.MIGRATIONS)
  AgroalDataSource jdbc;

  private String subject;
  private String space;

  @BeforeEach
  void sharedSpace() {
    subject = TestTokens.subject("counter");
    space = "team:" + subject;
  }

  private RawDevice device(String name, Long stable) throws InterruptedException {
    return RawDevice.connect(server, subject, space, name + subject.hashCode(), stable, null);
  }

  private Map<String, Long> points() {
    return stablePoints.of(space).await().atMost(WAIT);
  }

  private CounterCompactor.SpaceCompaction compact() {
    return maintenance.compactCounters(space).await().atMost(WAIT);
  }

  private long head() throws SQLException {
    return longQuery("select head from space_seq where space = ?");
  }

  private long longQuery(String sql) throws SQLException {
    try (Connection c = jdbc.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, space);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getLong(1);
      }
    }
  }

  private String storedState() throws SQLException {
    try (Connection c = jdbc.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "select state from doc_state where space = ? and collection = ? and doc_id = ?")) {
      ps.setString(1, space);
      ps.setString(2, RawDevice.COLLECTION);
      ps.setString(3, RawDevice.DOC);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getString(1);
      }
    }
  }

  private Document serverDoc() throws SQLException {
    return STORED.decodeDocument(storedState());
  }

  private static CounterValue views(Document doc) {
    return doc.get(VIEWS, CounterValue.class).orElse(new CounterValue());
  }

  private static List<CounterEntry> entries(Document doc) {
    return List.copyOf(views(doc).entries().values());
  }

  // ---- stable points --------------------------------------------------------------------------

  @Test
  void stablePoints_areRecordedMonotonically_clampedToTheHead_andOnlyForFollowedSpaces()
      throws Exception {
    try (RawDevice a = device("a", 0L)) {
      assertThat(points()).containsExactly(Map.entry(a.replica, 0L));
      for (int i = 0; i < 3; i++) {
        a.increment(VIEWS, 1);
      }
      a.catchUp(3);
      a.push(
          a.doc.addToCounter(a.replica, VIEWS, 1),
          new MessageParts.SpaceStable(space, 2),
          new MessageParts.SpaceStable("team:not-followed", 2));
      assertThat(points()).as("push.stable").containsExactly(Map.entry(a.replica, 2L));
      assertThat(stablePoints.of("team:not-followed").await().atMost(WAIT)).isEmpty();
      a.report(1);
      assertThat(points()).as("never lowered").containsExactly(Map.entry(a.replica, 2L));
      a.report(3);
      assertThat(points()).as("sync.stable").containsExactly(Map.entry(a.replica, 3L));
      a.report(50);
      assertThat(points()).as("clamped to the head").containsExactly(Map.entry(a.replica, 4L));
      assertThat(a.errors).isEmpty();
    }
    try (RawDevice again = device("a", 0L)) {
      assertThat(points())
          .as("a hello lowers nothing")
          .containsExactly(Map.entry(again.replica, 4L));
    }
  }

  // ---- the live set ---------------------------------------------------------------------------

  @Test
  void aReKeyedReplica_leavesTheLiveSet_andItsSuccessorEnters() throws Exception {
    String old = "old" + subject.hashCode();
    try (RawDevice predecessor = RawDevice.connect(server, subject, space, old, 0L, null)) {
      predecessor.increment(VIEWS, 1);
      predecessor.catchUpAndReport(1);
    }
    assertThat(points()).containsOnlyKeys(old);
    try (RawDevice successor =
        RawDevice.connect(server, subject, space, "new" + subject.hashCode(), 0L, old)) {
      assertThat(points()).containsExactly(Map.entry(successor.replica, 0L));
    }
  }

  @Test
  void aReplicaWhoseTokenLostTheSpace_orThatNoLongerSubscribes_leavesTheLiveSet() throws Exception {
    try (RawDevice a = device("a", 0L);
        RawDevice b = device("b", 0L)) {
      assertThat(points()).containsOnlyKeys(a.replica, b.replica);
      a.client.send(new Message.Auth(TestTokens.mint(subject, List.of(), Duration.ofHours(1))));
      a.client.await(Message.Revoked.class);
      // Messages are handled in order: once synced answers, the revocation was recorded.
      a.client.send(new Message.Sync(1, List.of()));
      a.client.await(Message.Synced.class);
      b.client.close();
      try (WsClient elsewhere =
          WsClient.connect(server, TestTokens.mint(subject, List.of(space), Duration.ofHours(1)))) {
        elsewhere.send(
            new Message.Hello(
                Message.PROTOCOL_VERSION,
                b.replica,
                List.of(new MessageParts.Subscription("user:" + subject, 0, 0L))));
        elsewhere.await(Message.Welcome.class);
        assertThat(points()).as("revoked and unsubscribed").isEmpty();
      }
    }
  }

  @Test
  void aReplicaBehindTheRetentionHorizon_leavesTheLiveSet() throws Exception {
    try (RawDevice lagging = device("lagging", 0L);
        RawDevice a = device("a", 0L)) {
      a.increment(VIEWS, 1);
      a.increment(VIEWS, 1);
      a.catchUpAndReport(2);
      // The log is compacted up to its head: the lagging replica's point 0 is behind it.
      maintenance.compact(space, Duration.ZERO).await().atMost(WAIT);
      assertThat(points()).containsExactly(Map.entry(a.replica, 2L));
      assertThat(lagging.errors).isEmpty();
    }
  }

  // ---- compaction -----------------------------------------------------------------------------

  @Test
  void aCounterPushedBySeveralReplicas_compactsToOneRunPerReplica_withTheExactValue_onEveryDevice()
      throws Exception {
    List<RawDevice> devices = new ArrayList<>();
    try {
      for (String name : List.of("a", "b", "c")) {
        devices.add(device(name, 0L));
      }
      long expected = 0;
      for (int round = 0; round < 4; round++) {
        for (RawDevice d : devices) {
          d.increment(VIEWS, round + 1);
          expected += round + 1;
        }
      }
      long head = head();
      for (RawDevice d : devices) {
        d.catchUpAndReport(head);
      }
      assertThat(entries(serverDoc())).hasSize(12);

      CounterCompactor.SpaceCompaction pass = compact();

      assertThat(pass.point()).isEqualTo(head);
      assertThat(pass.compacted()).isEqualTo(1);
      assertThat(pass.entriesRemoved()).isEqualTo(9);
      Document stored = serverDoc();
      assertThat(entries(stored))
          .extracting(CounterEntry::replica)
          .containsExactlyInAnyOrder(
              devices.get(0).replica, devices.get(1).replica, devices.get(2).replica);
      assertThat(entries(stored)).allMatch(CounterEntry::isRun);
      assertThat(views(stored).value()).isEqualTo(expected);
      assertThat(head()).as("one compaction entry").isEqualTo(head + 1);
      for (RawDevice d : devices) {
        d.catchUp(head + 1);
        MessageParts.ChangeItem last = d.items.get(d.items.size() - 1);
        assertThat(last.origin())
            .isEqualTo(new MessageParts.Origin(CompactionRules.ORIGIN, last.origin().seq()));
        assertThat(d.doc).as("device %s holds the runs", d.replica).isEqualTo(stored);
        assertThat(d.errors).isEmpty();
      }
      assertThat(compact().compacted()).as("nothing left to compact").isZero();
    } finally {
      devices.forEach(RawDevice::close);
    }
  }

  @Test
  void aDeviceThatHeldSingleDots_receivesTheCompactionEntry_andItsLaterRemoveCoversTheRun()
      throws Exception {
    try (RawDevice a = device("a", 0L);
        RawDevice b = device("b", 0L);
        RawDevice c = device("c", 0L)) {
      for (int i = 0; i < 5; i++) {
        a.increment(VIEWS, 1);
      }
      for (RawDevice d : List.of(a, b, c)) {
        d.catchUpAndReport(5);
      }
      assertThat(entries(b.doc)).as("b holds single dots").hasSize(5);
      compact();
      b.catchUp(6);
      assertThat(entries(b.doc)).containsExactly(CounterEntry.run(a.replica, 1, 5, 5));

      // b removes what it sees: the run, covered by its last dot only. a adds one b never saw.
      a.increment(VIEWS, 7);
      b.push(b.doc.remove(VIEWS));
      assertThat(views(serverDoc()).value()).isEqualTo(7);

      // c still held the single dots; it receives the compaction entry before the remove.
      c.catchUp(head());
      assertThat(views(c.doc).value()).isEqualTo(7);
      assertThat(c.doc).isEqualTo(serverDoc());
      a.catchUp(head());
      assertThat(a.doc).isEqualTo(serverDoc());
    }
  }

  @Test
  void compactionNeverPassesALaggingLiveReplica_andThatReplicasRemove_isExact() throws Exception {
    try (RawDevice a = device("a", 0L);
        RawDevice lagging = device("lagging", 0L)) {
      for (int i = 0; i < 4; i++) {
        a.increment(VIEWS, 1);
      }
      a.catchUpAndReport(4);
      lagging.catchUpAndReport(4);
      // The lagging device goes quiet at 4 (it reads nothing more); a goes on.
      for (int i = 0; i < 3; i++) {
        a.increment(VIEWS, 10);
      }
      a.catchUpAndReport(7);

      CounterCompactor.SpaceCompaction pass = compact();

      assertThat(pass.point()).isEqualTo(4);
      assertThat(entries(serverDoc()))
          .as("runs hold only what the lagging replica has seen")
          .containsExactly(
              CounterEntry.run(a.replica, 1, 4, 4),
              CounterEntry.single(new Dot(a.replica, 5), 10),
              CounterEntry.single(new Dot(a.replica, 6), 10),
              CounterEntry.single(new Dot(a.replica, 7), 10));

      // Offline, the lagging device removes the views it saw: four single dots.
      Document remove = lagging.doc.remove(VIEWS);
      lagging.push(remove);
      assertThat(views(serverDoc()).value())
          .as("exactly what it saw is reset; the 30 it never saw stay")
          .isEqualTo(30);
      lagging.catchUp(head());
      a.catchUp(head());
      assertThat(lagging.doc).isEqualTo(serverDoc());
      assertThat(a.doc).isEqualTo(serverDoc());
    }
  }

  @Test
  void aSessionStartingBelowTheCompactionPoint_getsASnapshot() throws Exception {
    try (RawDevice a = device("a", 0L)) {
      for (int i = 0; i < 3; i++) {
        a.increment(VIEWS, 1);
      }
      a.catchUpAndReport(3);
      compact();
      try (RawDevice late = device("late", 0L)) {
        late.catchUp(head());
        assertThat(late.snapshots).isEqualTo(1);
        assertThat(late.doc).isEqualTo(serverDoc());
      }
    }
  }

  @Test
  void aStaleRestRemove_ofACounterCompactedMeanwhile_keepsTheRun_nothingIsLost() throws Exception {
    String restReplica = "rest" + subject.hashCode();
    try (RawDevice a = device("a", 0L)) {
      for (int i = 0; i < 3; i++) {
        a.increment(VIEWS, 1);
      }
      a.catchUp(3);
      // A backend reads the document (three single increments) and decides to reset it later.
      Document staleRead = serverDoc();
      a.increment(VIEWS, 1);
      a.increment(VIEWS, 1);
      a.catchUpAndReport(5);
      compact();
      assertThat(entries(serverDoc())).containsExactly(CounterEntry.run(a.replica, 1, 5, 5));

      Document remove = staleRead.remove(VIEWS);
      given()
          .auth()
          .oauth2(TestTokens.mint(subject, List.of(space), Duration.ofHours(1)))
          .contentType(ContentType.JSON)
          .body(
              "{\"changesets\":["
                  + WsClient.CODEC.encodeChangeset(
                      new Changeset(
                          restReplica,
                          1,
                          space,
                          RawDevice.COLLECTION,
                          RawDevice.DOC,
                          new Hlc(2_000, 0),
                          remove))
                  + "]}")
          .post("/v1/changesets")
          .then()
          .statusCode(200);
      assertThat(views(serverDoc()).value())
          .as("the remove did not see the run's last increment: the run stays whole")
          .isEqualTo(5);
    }
  }

  @Test
  void noClientCanPushUnderTheCompactionsReplicaId() throws Exception {
    try (WsClient client =
        WsClient.connect(server, TestTokens.mint(subject, List.of(space), Duration.ofHours(1)))) {
      client.send(
          new Message.Hello(
              Message.PROTOCOL_VERSION,
              CompactionRules.ORIGIN,
              List.of(new MessageParts.Subscription(space, 0, 0L))));
      client.await(Message.Welcome.class);
      Document delta = new Document().addToCounter(CompactionRules.ORIGIN, VIEWS, 1);
      client.send(
          new Message.Push(
              List.of(
                  new Changeset(
                      CompactionRules.ORIGIN,
                      1,
                      space,
                      RawDevice.COLLECTION,
                      RawDevice.DOC,
                      new Hlc(1_000, 0),
                      delta))));
      assertThat(client.await(Message.Error.class).code()).isEqualTo("replica_forged");
    }
  }
}
