package dev.converge.bench.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows written by the benches read back as the generator reads them. */
class ResultLogTest {

  @TempDir Path dir;

  @Test
  void command_dropsRunSpecificOptions_inBothSpellings() {
    String command =
        ResultLog.command(
            ResultLogTest.class,
            new String[] {
              "--server",
              "http://127.0.0.1:1",
              "--results",
              "/tmp/x.jsonl",
              "--server-pid=42",
              "--clients",
              "10",
              "--pid",
              "7"
            });
    assertThat(command)
        .endsWith(
            "-cp bench/target/benchmarks.jar dev.converge.bench.suite.ResultLogTest"
                + " --server http://127.0.0.1:1 --clients 10")
        .startsWith("java ");
  }

  @Test
  void appendedRows_readBackInOrder_withWorkloadAndCommand() {
    Path file = dir.resolve("nested/storm.jsonl");
    Map<String, Object> first = new LinkedHashMap<>();
    first.put("seed", 1);
    first.put("convergence_ms", 4175L);
    ResultLog.append(file, "storm", "cmd a", first);
    ResultLog.append(file, "storm", "cmd b", Map.of("seed", 2, "p99_ms", Double.NaN));
    ResultLog.append(null, "storm", "ignored", Map.of("seed", 3));
    List<JsonNode> rows = SuiteRun.read(dir.resolve("nested")).rows("storm");
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).path("workload").asText()).isEqualTo("storm");
    assertThat(rows.get(0).path("convergence_ms").asLong()).isEqualTo(4175L);
    assertThat(rows.get(0).path("command").asText()).isEqualTo("cmd a");
    assertThat(rows.get(1).path("seed").asInt()).isEqualTo(2);
    // A percentile without samples is NaN and reads back as NaN (the tables print "n/a").
    assertThat(rows.get(1).path("p99_ms").asDouble(0)).isNaN();
  }
}
