package dev.converge.bench;

import dev.converge.core.crdt.Document;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Join throughput of single-operation deltas into a cart document of {@code items} items. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JoinBenchmark {

  private static final int DELTAS = 4_096;

  @Param({"1000"})
  int items;

  private Document base;
  private List<Document> deltas;
  private Document target;
  private int next;

  @Setup(Level.Trial)
  public void prepare() {
    base = CartFixtures.cart(items);
    deltas = CartFixtures.singleOpDeltas(base, DELTAS, 42);
  }

  @Setup(Level.Iteration)
  public void freshTarget() {
    target = base.copy();
    next = 0;
  }

  @Benchmark
  public Document joinSingleOpDelta() {
    // Deltas repeat after DELTAS joins; re-joining is idempotent and costs the same work.
    target.join(deltas.get(next++ & (DELTAS - 1)));
    return target;
  }
}
