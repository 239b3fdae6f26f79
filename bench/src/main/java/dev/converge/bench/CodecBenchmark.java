package dev.converge.bench;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
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

/** Encode and decode throughput of a push of 100 single-operation cart changesets. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {

  private final ProtocolCodec codec = new ProtocolCodec();
  private Message push;
  private String encoded;

  @Setup
  public void prepare() {
    push = new Message.Push(CartFixtures.changesets(100));
    encoded = codec.encode(push);
  }

  @Benchmark
  public String encodePushOf100() {
    return codec.encode(push);
  }

  @Benchmark
  public Message decodePushOf100() {
    return codec.decode(encoded);
  }
}
