package dev.converge.bench.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a complete suite results folder with known figures, as run-suite.sh leaves one. */
final class SuiteFixture {

  private SuiteFixture() {}

  static Path write(Path dir, String mode) throws IOException {
    Files.createDirectories(dir.resolve("peers"));
    Files.writeString(
        dir.resolve("machine.tsv"),
        "mode\t"
            + mode
            + "\nstarted\t2026-12-08T10:00:00Z\ncores\t2\njdk\topenjdk 17.0.15\ncommit\tabc1234\n");
    // 10:00:00 = 1796724000 epoch seconds; samples every 5 s.
    StringBuilder load = new StringBuilder();
    for (int i = 0; i <= 60; i++) {
      load.append(1796724000L + 5L * i).append('\t').append(i < 30 ? "2.00" : "6.00").append('\n');
    }
    Files.writeString(dir.resolve("loadavg.tsv"), load.toString());
    Files.writeString(
        dir.resolve("phases.tsv"),
        "storm\t1796724000\t1796724100\tok\n"
            + "push\t1796724150\t1796724200\tok\n"
            + "sdk\t1796724200\t1796724250\tok\n"
            + "fanout\t1796724250\t1796724290\tok\n"
            + "bootstrap\t1796724290\t1796724300\tfailed\n");
    String storm = "java -cp bench/target/benchmarks.jar dev.converge.bench.storm.CartStorm";
    StringBuilder stormRows = new StringBuilder();
    int[][] converge = {{1, 4000, 35, 2522}, {2, 5000, 36, 2354}, {3, 3000, 34, 2371}};
    for (int[] r : converge) {
      stormRows.append(
          String.format(
              "{\"workload\":\"storm\",\"at\":1796724010,\"system\":\"converge\",\"clients\":10,"
                  + "\"ops\":200,\"seed\":%d,\"convergence_ms\":%d,\"bytes_per_op\":%d.0,"
                  + "\"deflate\":true,\"final_total_qty\":%d,"
                  + "\"command\":\"%s --server http://127.0.0.1:18300 --clients 10 --seeds %d\"}%n",
              r[0], r[1], r[2], r[3], storm, r[0]));
    }
    Files.writeString(dir.resolve("storm.jsonl"), stormRows.toString());
    peer(dir, "yjs", new int[] {400, 500, 300}, new int[] {100, 110, 90});
    peer(dir, "automerge", new int[] {8000, 9000, 7000}, new int[] {700, 720, 710});
    String push = "java -cp bench/target/benchmarks.jar dev.converge.bench.load.LoadGenerator";
    StringBuilder pushRows = new StringBuilder();
    int[][] rounds = {{120, 2600, 140, 7000}, {150, 3000, 160, 7200}, {130, 2800, 100, 6800}};
    for (int[] r : rounds) {
      pushRows
          .append(pushRow(1, r[0], push))
          .append(pgbench(1, r[1]))
          .append(pushRow(8, r[2], push))
          .append(pgbench(8, r[3]));
    }
    Files.writeString(dir.resolve("push.jsonl"), pushRows.toString());
    String sdk =
        "java -cp bench/target/benchmarks.jar dev.converge.bench.sdk.SdkBench --writes 20000";
    StringBuilder sdkRows = new StringBuilder();
    Object[][] cases = {
      {"sdk-normal", 1500},
      {"plain-normal", 6000},
      {"sdk-full", 1100},
      {"plain-full", 2500},
      {"sdk-batch", 3000},
      {"plain-batch", 50000}
    };
    for (Object[] c : cases) {
      sdkRows.append(
          String.format(
              "{\"workload\":\"sdk\",\"case\":\"%s\",\"writes\":20000,\"writes_per_s\":%d.0,"
                  + "\"p50_us\":300.0,\"p99_us\":2000.0,\"command\":\"%s\"}%n",
              c[0], c[1], sdk));
    }
    Files.writeString(dir.resolve("sdk.jsonl"), sdkRows.toString());
    StringBuilder fan = new StringBuilder();
    // Written out of order: the tables sort by rate.
    double[][] sweep = {{1000, 30, 120, 250}, {10, 5, 12, 20}, {100, 8, 40, 80}};
    for (double[] r : sweep) {
      fan.append(
          String.format(
              "{\"workload\":\"fanout\",\"sessions\":1000,\"spaces\":100,\"rate\":%d,"
                  + "\"seconds\":30,\"expected\":3000,\"delivered\":3000,\"p50_ms\":%.1f,"
                  + "\"p95_ms\":%.1f,\"p99_ms\":%.1f,\"command\":\"%s fanout --rate %d\"}%n",
              (int) r[0], r[1], r[2], r[3], push, (int) r[0]));
    }
    Files.writeString(dir.resolve("fanout.jsonl"), fan.toString());
    Files.writeString(
        dir.resolve("bootstrap.jsonl"),
        "{\"workload\":\"bootstrap\",\"docs\":100000,\"changes\":100000,\"ms\":12900,"
            + "\"docs_per_s\":7751.9,\"peak_heap_mib\":41.2,\"max_heap_mib\":128.0,"
            + "\"command\":\"java -Xmx128m -cp bench/target/benchmarks.jar"
            + " dev.converge.bench.sdk.SdkBench --bootstrap-only --docs 100000\"}\n");
    return dir;
  }

  private static String pushRow(int connections, int rate, String command) {
    return String.format(
        "{\"workload\":\"push\",\"system\":\"converge\",\"connections\":%d,\"spaces\":1,"
            + "\"batch\":1,\"changesets_per_s\":%d.0,\"ack_p50_ms\":10.0,\"ack_p99_ms\":40.0,"
            + "\"command\":\"%s push --connections %d --batch 1\"}%n",
        connections, rate, command, connections);
  }

  private static String pgbench(int clients, int tps) {
    return String.format(
        "{\"workload\":\"push\",\"system\":\"pgbench\",\"connections\":%d,\"tps\":%d.0,"
            + "\"command\":\"pgbench -n -c %d -T 20 -f insert.sql\"}%n",
        clients, tps, clients);
  }

  private static void peer(Path dir, String peer, int[] ms, int[] bytes) throws IOException {
    for (int s = 0; s < 3; s++) {
      Files.writeString(
          dir.resolve("peers/" + peer + "-c10-s" + (s + 1) + ".json"),
          String.format(
              "{\"peer\":\"%s\",\"clients\":10,\"ops\":200,\"seeds\":[%d],\"runs\":[{\"peer\":\"%s\","
                  + "\"clients\":10,\"ops\":200,\"seed\":%d,\"run\":1,\"convergence_ms\":%d,"
                  + "\"bytes_per_op\":%d.0,\"final_total_qty\":2500}]}",
              peer, s + 1, peer, s + 1, ms[s], bytes[s]));
    }
  }
}
