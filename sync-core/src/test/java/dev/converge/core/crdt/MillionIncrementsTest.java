package dev.converge.core.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.protocol.ProtocolCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The acceptance scale of bounded counters: 1,000,000 increments from 10 replicas, the server
 * compacting every 1,000 increments, leave one counter of one run per replica, under 2 KB encoded,
 * with the exact sum. Devices stay bounded as well.
 */
class MillionIncrementsTest {

  private static final int INCREMENTS = 1_000_000;
  private static final int REPLICAS = 10;
  private static final int PERIOD = 1_000;
  private static final List<String> VIEWS = List.of("views");

  @Test
  void millionIncrementsFromTenReplicas_compactedPeriodically_leaveOneSmallExactCounter() {
    Random random = new Random(20_240_601);
    Document server = new Document();
    List<Document> devices = new ArrayList<>();
    for (int i = 0; i < REPLICAS; i++) {
      devices.add(new Document());
    }
    // What every device has pulled: the stable point, as each device pushes at once (no outbox).
    StablePoint pulledByAll = StablePoint.NONE;
    long expected = 0;
    int largestServerCounter = 0;
    for (int done = 0; done < INCREMENTS; done += PERIOD) {
      Document logSegment = new Document(); // the period's log, pulled as one delta-group
      for (int i = 0; i < PERIOD; i++) {
        int r = random.nextInt(REPLICAS);
        long amount = random.nextLong(1, CounterValue.MAX_INCREMENT + 1);
        if (random.nextInt(10) == 0) {
          amount = -amount;
        }
        expected += amount;
        Document delta = devices.get(r).addToCounter("replica" + r, VIEWS, amount);
        server.join(delta);
        logSegment.join(delta);
      }
      largestServerCounter = Math.max(largestServerCounter, entries(server));
      logSegment.join(server.compact(pulledByAll));
      for (Document device : devices) {
        device.join(logSegment);
      }
      pulledByAll = StablePoint.of(server.context());
    }
    // Everyone has pulled everything: all of it is stable.
    Document last = server.compact(pulledByAll);
    devices.forEach(device -> device.join(last));

    CounterValue views = server.get(VIEWS, CounterValue.class).orElseThrow();
    assertThat(views.value()).isEqualTo(expected);
    assertThat(views.entries().values()).hasSize(REPLICAS).allMatch(CounterEntry::isRun);
    assertThat(largestServerCounter).isLessThanOrEqualTo(2 * PERIOD + REPLICAS);
    devices.forEach(device -> assertThat(device).isEqualTo(server));

    ProtocolCodec codec = new ProtocolCodec();
    String encoded = codec.encodeDocument(server);
    int bytes = encoded.getBytes(StandardCharsets.UTF_8).length;
    System.out.println("1,000,000 increments from 10 replicas: " + bytes + " bytes encoded");
    assertThat(bytes).isLessThan(2_048);
    Document decoded = codec.decodeDocument(encoded);
    assertThat(decoded).isEqualTo(server);
    assertThat(decoded.get(VIEWS, CounterValue.class).orElseThrow().value()).isEqualTo(expected);
  }

  private static int entries(Document doc) {
    return doc.get(VIEWS, CounterValue.class).map(c -> c.entries().size()).orElse(0);
  }
}
