package dev.converge.bench.suite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Result files with known figures -> the exact Markdown of every generated section. */
class SuiteTablesTest {

  @TempDir Path dir;

  private Map<String, String> render(String mode) throws IOException {
    return SuiteTables.render(SuiteRun.read(SuiteFixture.write(dir, mode)), "img/lag-vs-rate.png");
  }

  @Test
  void storm_mediansOverSeedsBesideEachPeer_withRatiosAndCommands() throws IOException {
    String storm = render("full").get("storm");
    assertThat(storm)
        .startsWith(
            "Suite run of 2026-12-08T10:00:00Z; load average (1 min) during this step 2.0-2.0"
                + " (mean 2.0) on 2 cores, openjdk 17.0.15.\n\n")
        .contains(
            "| what | Converge | peer | ratio (Converge / peer) | command |\n"
                + "| --- | --- | --- | --- | --- |\n"
                + "| cart storm C=10, M=200, resume -> converged, median of seeds 1 / 2 / 3"
                + " | 4,000 ms (4,000 / 5,000 / 3,000) | Yjs 400 ms (400 / 500 / 300) | 10.0x"
                + " | `java -cp bench/target/benchmarks.jar dev.converge.bench.storm.CartStorm"
                + " --server http://127.0.0.1:18300 --clients 10 --seeds <seed>`;"
                + " `node yjs-cart.mjs --clients 10 --ops 200 --seeds <seed> --json <file>` |\n"
                + "| cart storm C=10, M=200, resume -> converged, median of seeds 1 / 2 / 3"
                + " | 4,000 ms (4,000 / 5,000 / 3,000) | Automerge 8,000 ms (8,000 / 9,000 / 7,000)"
                + " | 0.50x |")
        .contains(
            "| bytes on the wire per cart op, C=10 (Converge: permessage-deflate negotiated;"
                + " peers as their harness runs them) | 35.0 B | Yjs 100.0 B | 0.35x | same runs |\n")
        .contains("| 35.0 B | Automerge 710.0 B | 0.05x | same runs |\n")
        .contains("C=10: Converge's final carts, total quantity per seed 2,522 / 2,354 / 2,371");
    assertThat(storm).doesNotContain("Quick mode");
  }

  @Test
  void push_medianOfRoundsAsShareOfPgbenchOverTheSameConnections() throws IOException {
    String push = render("full").get("push");
    assertThat(push)
        .contains(
            "| push, 1 changeset(s) per push, 1 connection(s), 1 space(s); median of 3 run(s)"
                + " | 130 changesets/s (120 / 150 / 130); ack p50 10.0 ms"
                + " | single-row INSERT transactions, 1 client(s): 2,800 tps (2,600 / 3,000 / 2,800)"
                + " | 4.6% | `java -cp bench/target/benchmarks.jar"
                + " dev.converge.bench.load.LoadGenerator push --connections 1 --batch 1`;"
                + " `pgbench -n -c 1 -T 20 -f insert.sql` |\n")
        .contains(
            "| 140 changesets/s (140 / 160 / 100); ack p50 10.0 ms"
                + " | single-row INSERT transactions, 8 client(s): 7,000 tps (7,000 / 7,200 / 6,800)"
                + " | 2.0% |");
  }

  @Test
  void sdk_eachModeBesidePlainSqliteOfTheSameBytes() throws IOException {
    String sdk = render("full").get("sdk");
    assertThat(sdk)
        .contains(
            "| SDK cart write, synchronous=NORMAL, one write per transaction"
                + " | 1,500 writes/s (p50 300.0 us) | 6,000 writes/s (p50 300.0 us) | 25% |")
        .contains("| 1,100 writes/s (p50 300.0 us) | 2,500 writes/s (p50 300.0 us) | 44% |")
        .contains("| 3,000 writes/s (p50 300.0 us) | 50,000 writes/s (p50 300.0 us) | 6.0% |");
  }

  @Test
  void fanout_sortedByRate_namesTheRateWhereP99Crosses100ms_andLinksThePlot() throws IOException {
    String fanout = render("full").get("fanout");
    int r10 = fanout.indexOf("| fan-out lag (push sent -> frame received), 10 changes/s in total");
    int r100 = fanout.indexOf("| fan-out lag (push sent -> frame received), 100 changes/s");
    int r1000 = fanout.indexOf("| fan-out lag (push sent -> frame received), 1,000 changes/s");
    assertThat(r10).isPositive().isLessThan(r100);
    assertThat(r100).isLessThan(r1000);
    assertThat(fanout)
        .contains(
            "10 changes/s in total, 1,000 sessions over 100 space(s), 30 s"
                + " | 5.0 / 12.0 / 20.0 ms (3,000 of 3,000 deliveries) | goal: p99 < 100 ms | 0.20x |")
        .contains(
            "| 30.0 / 120.0 / 250.0 ms (3,000 of 3,000 deliveries) | goal: p99 < 100 ms | 2.50x |")
        .contains("\np99 crosses 100 ms at 1,000 changes/s.\n")
        .contains("![fan-out lag against write rate](img/lag-vs-rate.png)")
        .contains("load average (1 min) during this step 6.0-6.0 (mean 6.0)");
  }

  @Test
  void fanout_underTheGoalEverywhere_saysSoUpToTheSweepsTop() throws IOException {
    SuiteFixture.write(dir, "full");
    Files.writeString(
        dir.resolve("fanout.jsonl"),
        "{\"rate\":10,\"sessions\":10,\"spaces\":2,\"p50_ms\":1,\"p95_ms\":2,\"p99_ms\":3}\n"
            + "{\"rate\":50,\"sessions\":10,\"spaces\":2,\"p50_ms\":1,\"p95_ms\":2,\"p99_ms\":99.9}\n");
    String fanout = SuiteTables.render(SuiteRun.read(dir), null).get("fanout");
    assertThat(fanout).contains("p99 stays under 100 ms up to 50 changes/s (the sweep's top).");
    assertThat(fanout).doesNotContain("crosses").doesNotContain("![");
  }

  @Test
  void bootstrap_projectsTheMillionDocumentGoal() throws IOException {
    String bootstrap = render("full").get("bootstrap");
    assertThat(bootstrap)
        .contains(
            "| fresh client bootstrap, 100,000 documents, heap limit 128 MiB"
                + " | 12.9 s (7,752 documents/s), heap peak <= 41 MiB; 1,000,000 would take ~129 s"
                + " | 1,000,000 documents in < 60 s (16,667 documents/s) | 2.15x"
                + " | `java -Xmx128m -cp bench/target/benchmarks.jar dev.converge.bench.sdk.SdkBench"
                + " --bootstrap-only --docs 100000` |");
  }

  @Test
  void aStepWithoutRows_saysSoWithItsStatus() throws IOException {
    SuiteFixture.write(dir, "full");
    Files.delete(dir.resolve("bootstrap.jsonl"));
    Files.delete(dir.resolve("sdk.jsonl"));
    Map<String, String> sections = SuiteTables.render(SuiteRun.read(dir), null);
    assertThat(sections.get("bootstrap"))
        .endsWith("_No results for this step in the run (step status: failed)._\n");
    assertThat(sections.get("sdk"))
        .endsWith("_No results for this step in the run (step status: ok)._\n");
  }

  @Test
  void machine_listsFactsAndEveryStepWithItsLoad() throws IOException {
    String machine = render("full").get("machine");
    assertThat(machine)
        .contains("| cores | 2 |\n")
        .contains("| jdk | openjdk 17.0.15 |\n")
        .contains("| storm | 2026-12-08T10:00:00Z | 100 s | 2.0 / 2.0 / 2.0 | ok |\n")
        .contains("| bootstrap | 2026-12-08T10:04:50Z | 10 s | 6.0 / 6.0 / 6.0 | failed |\n");
  }

  @Test
  void quickMode_marksEverySectionAsNotResults() throws IOException {
    Map<String, String> sections = render("quick");
    assertThat(sections.keySet()).containsExactlyElementsOf(SuiteTables.SECTIONS);
    sections.forEach(
        (name, text) -> assertThat(text).as(name).startsWith(SuiteTables.QUICK_WARNING));
  }
}
