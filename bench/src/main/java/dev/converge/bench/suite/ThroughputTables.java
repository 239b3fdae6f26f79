package dev.converge.bench.suite;

import static dev.converge.bench.suite.MarkdownTable.code;
import static dev.converge.bench.suite.MarkdownTable.each;
import static dev.converge.bench.suite.MarkdownTable.median;
import static dev.converge.bench.suite.MarkdownTable.num;
import static dev.converge.bench.suite.MarkdownTable.percent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The throughput tables against their plain-database limits: pushes of single changesets beside
 * pgbench's single-row INSERT transactions over the same number of connections, and SDK writes
 * beside plain sqlite-jdbc writes of the same bytes. The ratio is ours as a share of the limit.
 */
final class ThroughputTables {

  private ThroughputTables() {}

  static String push(SuiteRun run) {
    List<JsonNode> rows = run.rows("push");
    Set<Integer> connections = new TreeSet<>();
    rows.forEach(r -> connections.add(r.path("connections").asInt()));
    MarkdownTable table =
        new MarkdownTable(
            "what", "Converge", "limit: pgbench", "ratio (Converge / pgbench)", "command");
    for (int c : connections) {
      List<JsonNode> ours = select(rows, r -> isConverge(r) && r.path("connections").asInt() == c);
      List<JsonNode> limit =
          select(
              rows,
              r ->
                  "pgbench".equals(r.path("system").asText())
                      && r.path("connections").asInt() == c);
      if (ours.isEmpty() || limit.isEmpty()) {
        continue;
      }
      List<Double> rates = values(ours, "changesets_per_s");
      List<Double> tps = values(limit, "tps");
      List<Double> ackP50 = values(ours, "ack_p50_ms");
      JsonNode first = ours.get(0);
      table.row(
          "push, "
              + first.path("batch").asInt()
              + " changeset(s) per push, "
              + c
              + " connection(s), "
              + first.path("spaces").asInt()
              + " space(s); median of "
              + ours.size()
              + " run(s)",
          num(median(rates), 0)
              + " changesets/s ("
              + each(rates, 0)
              + "); ack p50 "
              + num(median(ackP50), 1)
              + " ms",
          "single-row INSERT transactions, "
              + c
              + " client(s): "
              + num(median(tps), 0)
              + " tps ("
              + each(tps, 0)
              + ")",
          percent(median(rates), median(tps)),
          code(commands(ours, limit)));
    }
    return table.isEmpty() ? "" : table.toString();
  }

  static String sdk(SuiteRun run) {
    List<JsonNode> rows = run.rows("sdk");
    MarkdownTable table =
        new MarkdownTable(
            "what",
            "SDK",
            "limit: plain sqlite-jdbc, same bytes",
            "ratio (SDK / plain)",
            "command");
    String[][] pairs = {
      {
        "sdk-normal",
        "plain-normal",
        "SDK cart write, synchronous=NORMAL, one write per transaction"
      },
      {"sdk-full", "plain-full", "SDK cart write, synchronous=FULL, one write per transaction"},
      {"sdk-batch", "plain-batch", "SDK cart write, NORMAL, 1,000 writes per client.batch"}
    };
    for (String[] pair : pairs) {
      List<JsonNode> ours = select(rows, r -> pair[0].equals(r.path("case").asText()));
      List<JsonNode> limit = select(rows, r -> pair[1].equals(r.path("case").asText()));
      if (ours.isEmpty() || limit.isEmpty()) {
        continue;
      }
      double sdk = median(values(ours, "writes_per_s"));
      double plain = median(values(limit, "writes_per_s"));
      table.row(
          pair[2],
          num(sdk, 0) + " writes/s (p50 " + num(median(values(ours, "p50_us")), 1) + " us)",
          num(plain, 0) + " writes/s (p50 " + num(median(values(limit, "p50_us")), 1) + " us)",
          percent(sdk, plain),
          code(commands(ours, List.of())));
    }
    return table.isEmpty() ? "" : table.toString();
  }

  private static boolean isConverge(JsonNode row) {
    return "converge".equals(row.path("system").asText("converge"));
  }

  static List<JsonNode> select(List<JsonNode> rows, Predicate<JsonNode> keep) {
    return rows.stream().filter(keep).toList();
  }

  static List<Double> values(List<JsonNode> rows, String field) {
    List<Double> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.path(field).asDouble(Double.NaN)));
    return out;
  }

  static Set<String> commands(List<JsonNode> a, List<JsonNode> b) {
    Set<String> out = new LinkedHashSet<>();
    a.forEach(r -> out.add(r.path("command").asText()));
    b.forEach(r -> out.add(r.path("command").asText()));
    return out;
  }
}
