package dev.converge.bench.suite;

import static dev.converge.bench.suite.MarkdownTable.num;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The generated sections of docs/benchmarks.md for one {@link SuiteRun}: the machine and load of
 * the run, then one table per workload (storm, push, sdk, fanout, bootstrap), each headed by the
 * load average during its step. A quick run's sections say, first thing, that they are not results.
 */
public final class SuiteTables {

  /** Section names, in the order the suite runs them; each is a marker pair in the doc. */
  public static final List<String> SECTIONS =
      List.of("machine", "storm", "push", "sdk", "fanout", "bootstrap");

  static final String QUICK_WARNING =
      "> **Quick mode** (`bash bench/run-suite.sh --quick`: short runs, one seed, small sizes):"
          + " a check that every step runs end to end. These figures are not results.\n\n";

  private SuiteTables() {}

  /**
   * Renders every section.
   *
   * @param run the suite's results
   * @param plotLink the lag plot's path relative to the doc, or null for no plot
   * @return section name -> Markdown, in {@link #SECTIONS} order
   */
  public static Map<String, String> render(SuiteRun run, String plotLink) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("machine", machine(run));
    out.put("storm", section(run, "storm", StormTable.render(run)));
    out.put("push", section(run, "push", ThroughputTables.push(run)));
    out.put("sdk", section(run, "sdk", ThroughputTables.sdk(run)));
    out.put("fanout", section(run, "fanout", LagTables.fanout(run, plotLink)));
    out.put("bootstrap", section(run, "bootstrap", LagTables.bootstrap(run)));
    return out;
  }

  private static String section(SuiteRun run, String workload, String table) {
    StringBuilder out = new StringBuilder();
    if (run.quick()) {
      out.append(QUICK_WARNING);
    }
    Optional<SuiteRun.Phase> phase = run.phase(workload);
    out.append("Suite run of ").append(run.machine().getOrDefault("started", "?"));
    phase.ifPresent(
        p ->
            run.load(p.start(), p.end())
                .ifPresent(
                    l ->
                        out.append("; load average (1 min) during this step ")
                            .append(num(l.min(), 1))
                            .append("-")
                            .append(num(l.max(), 1))
                            .append(" (mean ")
                            .append(num(l.mean(), 1))
                            .append(")")));
    out.append(" on ").append(machineLine(run)).append(".\n\n");
    if (table.isEmpty()) {
      out.append("_No results for this step in the run (step status: ")
          .append(phase.map(SuiteRun.Phase::status).orElse("not run"))
          .append(")._\n");
    } else {
      out.append(table);
    }
    return out.toString();
  }

  private static String machineLine(SuiteRun run) {
    Map<String, String> m = run.machine();
    return m.getOrDefault("cores", "?") + " cores, " + m.getOrDefault("jdk", "unknown JDK");
  }

  private static String machine(SuiteRun run) {
    StringBuilder out = new StringBuilder();
    if (run.quick()) {
      out.append(QUICK_WARNING);
    }
    MarkdownTable facts = new MarkdownTable("machine", "value");
    run.machine().forEach(facts::row);
    out.append(facts).append("\n");
    MarkdownTable steps =
        new MarkdownTable(
            "step", "started (UTC)", "duration", "load average (1 min) min / mean / max", "status");
    for (SuiteRun.Phase p : run.phases()) {
      String load =
          run.load(p.start(), p.end())
              .map(l -> num(l.min(), 1) + " / " + num(l.mean(), 1) + " / " + num(l.max(), 1))
              .orElse("no sample");
      steps.row(
          p.workload(),
          Instant.ofEpochSecond(p.start()).toString(),
          num(p.end() - p.start(), 0) + " s",
          load,
          p.status());
    }
    if (!steps.isEmpty()) {
      out.append(steps);
    }
    return out.toString();
  }
}
