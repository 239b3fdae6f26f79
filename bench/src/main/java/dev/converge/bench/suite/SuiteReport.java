package dev.converge.bench.suite;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Turns a suite run's results folder into the generated sections of docs/benchmarks.md and the
 * fan-out lag plot. A full run rewrites the doc in place (between its {@code suite:begin/end}
 * markers) and writes the plot next to it; a quick run never touches the doc: it writes a copy of
 * the doc and the plot into the results folder, every section marked as quick mode.
 */
@Command(name = "suite-report", mixinStandardHelpOptions = true)
public final class SuiteReport implements Callable<Integer> {

  @Option(names = "--results", required = true, description = "the suite's results folder")
  Path results;

  @Option(names = "--doc", defaultValue = "docs/benchmarks.md")
  Path doc;

  @Option(names = "--plot", defaultValue = "docs/img/lag-vs-rate.png")
  Path plot;

  @Option(
      names = "--print",
      description = "print this section (e.g. storm) to standard output and write nothing")
  String print;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new SuiteReport()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    SuiteRun run = SuiteRun.read(results);
    if (print != null) {
      if (!SuiteTables.SECTIONS.contains(print)) {
        System.err.println("unknown section " + print + "; one of " + SuiteTables.SECTIONS);
        return 2;
      }
      System.out.print(SuiteTables.render(run, null).get(print));
      return 0;
    }
    Path docOut = run.quick() ? results.resolve("benchmarks.md") : doc;
    Path plotOut = run.quick() ? results.resolve("lag-vs-rate.png") : plot;
    List<JsonNode> sweep = LagTables.sweep(run);
    String link = null;
    if (!sweep.isEmpty()) {
      JsonNode first = sweep.get(0);
      String title =
          (run.quick() ? "QUICK MODE, not results: " : "")
              + "fan-out lag, "
              + first.path("sessions").asInt()
              + " sessions over "
              + first.path("spaces").asInt()
              + " spaces ("
              + run.machine().getOrDefault("cores", "?")
              + " cores, "
              + run.machine().getOrDefault("started", "?")
              + ")";
      LagPlot.write(sweep, title, plotOut);
      link = docOut.toAbsolutePath().getParent().relativize(plotOut.toAbsolutePath()).toString();
      System.out.println("plot: " + plotOut);
    }
    Map<String, String> sections = SuiteTables.render(run, link);
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    Files.writeString(docOut, MarkedSections.replace(text, sections), StandardCharsets.UTF_8);
    System.out.println((run.quick() ? "quick-mode copy of the doc: " : "rewrote: ") + docOut);
    return 0;
  }
}
