package dev.converge.bench;

import dev.converge.core.crdt.Document;
import dev.converge.core.trust.DeltaVerifier;
import dev.converge.core.trust.Lineage;
import dev.converge.core.trust.Violation;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of the server's trust boundary: verifying a device's single-operation delta against a
 * cart document of {@code items} items, the check every pushed changeset passes before its join
 * (compare with {@link JoinBenchmark} on the same deltas).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class VerifyBenchmark {

  private static final int DELTAS = 4_096;

  @Param({"1000"})
  int items;

  private final DeltaVerifier verifier = new DeltaVerifier(1L << 31);
  private final Lineage device = Lineage.of(CartFixtures.DEVICE_REPLICA);
  private Document stored;
  private List<Document> deltas;
  private int next;

  @Setup
  public void prepare() {
    // The server holds the base cart; every delta is fresh to it, as a pushed one is.
    stored = CartFixtures.cart(items);
    deltas = CartFixtures.singleOpDeltas(stored, DELTAS, 42);
  }

  @Benchmark
  public Optional<Violation> verifySingleOpDelta() {
    return verifier.verify(stored, deltas.get(next++ & (DELTAS - 1)), device);
  }
}
