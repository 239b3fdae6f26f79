package dev.converge.bench.suite;

import static dev.converge.bench.suite.MarkdownTable.code;
import static dev.converge.bench.suite.MarkdownTable.num;
import static dev.converge.bench.suite.MarkdownTable.times;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The tables measured against a goal rather than a peer: fan-out lag per write rate against p99 <
 * 100 ms (naming the first rate of the sweep whose p99 crosses it), and a fresh client's bootstrap
 * against 1,000,000 documents in under 60 s.
 */
final class LagTables {

  /** The fan-out goal: p99 write -> other device below this. */
  static final double P99_GOAL_MS = 100;

  /** The bootstrap goal: documents in {@link #BOOTSTRAP_GOAL_SECONDS}. */
  static final double BOOTSTRAP_GOAL_DOCS = 1_000_000;

  static final double BOOTSTRAP_GOAL_SECONDS = 60;

  private LagTables() {}

  /** The fan-out rows in sweep order (ascending total rate). */
  static List<JsonNode> sweep(SuiteRun run) {
    return run.rows("fanout").stream()
        .sorted(Comparator.comparingInt(r -> r.path("rate").asInt()))
        .toList();
  }

  /** The first rate of the sweep whose p99 reaches the goal, if any. */
  static Optional<Integer> crossing(List<JsonNode> sweep) {
    return sweep.stream()
        .filter(r -> r.path("p99_ms").asDouble(Double.NaN) >= P99_GOAL_MS)
        .map(r -> r.path("rate").asInt())
        .findFirst();
  }

  static String fanout(SuiteRun run, String plotLink) {
    List<JsonNode> sweep = sweep(run);
    if (sweep.isEmpty()) {
      return "";
    }
    MarkdownTable table =
        new MarkdownTable(
            "what", "Converge: lag p50 / p95 / p99", "limit", "ratio (p99 / 100 ms)", "command");
    for (JsonNode r : sweep) {
      table.row(
          "fan-out lag (push sent -> frame received), "
              + num(r.path("rate").asDouble(), 0)
              + " changes/s in total, "
              + num(r.path("sessions").asDouble(), 0)
              + " sessions over "
              + num(r.path("spaces").asDouble(), 0)
              + " space(s), "
              + r.path("seconds").asInt()
              + " s",
          num(r.path("p50_ms").asDouble(Double.NaN), 1)
              + " / "
              + num(r.path("p95_ms").asDouble(Double.NaN), 1)
              + " / "
              + num(r.path("p99_ms").asDouble(Double.NaN), 1)
              + " ms ("
              + num(r.path("delivered").asDouble(), 0)
              + " of "
              + num(r.path("expected").asDouble(), 0)
              + " deliveries)",
          "goal: p99 < 100 ms",
          times(r.path("p99_ms").asDouble(Double.NaN), P99_GOAL_MS),
          code(List.of(r.path("command").asText())));
    }
    int top = sweep.get(sweep.size() - 1).path("rate").asInt();
    String verdict =
        crossing(sweep)
            .map(rate -> "p99 crosses 100 ms at " + num(rate, 0) + " changes/s.")
            .orElse(
                "p99 stays under 100 ms up to " + num(top, 0) + " changes/s (the sweep's top).");
    String plot = plotLink == null ? "" : "\n![fan-out lag against write rate](" + plotLink + ")\n";
    return table + "\n" + verdict + "\n" + plot;
  }

  static String bootstrap(SuiteRun run) {
    List<JsonNode> rows = run.rows("bootstrap");
    if (rows.isEmpty()) {
      return "";
    }
    MarkdownTable table =
        new MarkdownTable(
            "what", "Converge", "goal", "ratio (projected 1,000,000 / 60 s)", "command");
    for (JsonNode r : rows) {
      double docs = r.path("docs").asDouble();
      double ms = r.path("ms").asDouble();
      double perSecond = docs * 1000 / ms;
      double projected = BOOTSTRAP_GOAL_DOCS / perSecond;
      table.row(
          "fresh client bootstrap, "
              + num(docs, 0)
              + " documents, heap limit "
              + num(r.path("max_heap_mib").asDouble(), 0)
              + " MiB",
          num(ms / 1000, 1)
              + " s ("
              + num(perSecond, 0)
              + " documents/s), heap peak <= "
              + num(r.path("peak_heap_mib").asDouble(), 0)
              + " MiB; 1,000,000 would take ~"
              + num(projected, 0)
              + " s",
          "1,000,000 documents in < 60 s (16,667 documents/s)",
          times(projected, BOOTSTRAP_GOAL_SECONDS),
          code(List.of(r.path("command").asText())));
    }
    return table.toString();
  }
}
