package dev.converge.bench;

import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.core.server.DocumentRef;
import dev.converge.core.server.LogEntry;
import dev.converge.core.server.PushDecision;
import dev.converge.core.server.PushPlan;
import dev.converge.core.server.PushRules;
import dev.converge.core.server.Replica;
import dev.converge.core.server.SpaceState;
import dev.converge.core.trust.Lineage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The server core without its database: deciding a push of 100 single-op cart changesets into a
 * stored 50-item cart (fresh, and re-pushed after a lost ack), and the one canonical encoding of
 * each pushed delta that the log, the re-push comparison and refusal fingerprints share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PushRulesBenchmark {

  private static final String SPACE = "user:alice";
  private static final String SUBJECT = "alice";

  private final ProtocolCodec codec = new ProtocolCodec();
  private final PushRules rules =
      new PushRules(codec, 500, 1L << 31, Duration.ofHours(24), () -> 1_764_065_400_000L);
  private final Lineage lineage = Lineage.of(CartFixtures.DEVICE_REPLICA);
  private List<Changeset> push;
  private Map<String, SpaceState> stored;
  private List<LogEntry> logged;

  @Setup
  public void prepare() {
    push = CartFixtures.changesets(100);
    stored =
        Map.of(
            SPACE,
            new SpaceState(
                SPACE,
                50,
                Map.of(
                    new DocumentRef(SPACE, "carts", "main"),
                    codec.encodeDocument(CartFixtures.cart(50)))));
    logged = decideFresh().spaces().get(0).entries();
  }

  private PushDecision decideFresh() {
    PushPlan plan =
        rules.plan(SUBJECT, new Replica(CartFixtures.DEVICE_REPLICA, SUBJECT, 0), push, s -> true);
    return rules.decide(plan, lineage, List.of(), List.of(), stored);
  }

  @Benchmark
  public PushDecision decideFreshPushOf100() {
    return decideFresh();
  }

  @Benchmark
  public PushDecision decideRePushOf100() {
    PushPlan plan =
        rules.plan(
            SUBJECT, new Replica(CartFixtures.DEVICE_REPLICA, SUBJECT, 100), push, s -> true);
    return rules.decide(plan, lineage, logged, List.of(), Map.of());
  }

  @Benchmark
  public int canonicalDeltasOf100() {
    int chars = 0;
    for (Changeset c : push) {
      chars += codec.encodeDocument(c.delta()).length();
    }
    return chars;
  }
}
