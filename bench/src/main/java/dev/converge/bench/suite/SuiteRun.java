package dev.converge.bench.suite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One run of the suite as left in its results folder by {@code bench/run-suite.sh}:
 *
 * <ul>
 *   <li>{@code machine.tsv}: {@code key<TAB>value} lines (cores, jdk, os, commit, started, mode);
 *   <li>{@code loadavg.tsv}: {@code epochSeconds<TAB>load1} samples taken during the run;
 *   <li>{@code phases.tsv}: {@code workload<TAB>startEpoch<TAB>endEpoch<TAB>status} per step;
 *   <li>{@code <workload>.jsonl}: rows written by {@link ResultLog} (storm, push, sdk, fanout,
 *       bootstrap);
 *   <li>{@code peers/*.json}: the peers' harness output ({@code --json}), one file per run.
 * </ul>
 *
 * Immutable once read.
 */
public final class SuiteRun {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> machine;
  private final List<double[]> load;
  private final Map<String, Phase> phases;
  private final Map<String, List<JsonNode>> rows;
  private final List<JsonNode> peers;

  /** A step of the run: when it ran and whether it succeeded. */
  public record Phase(String workload, long start, long end, String status) {}

  /** Load average samples over an interval: min, mean and max of the 1-minute figure. */
  public record LoadRange(double min, double mean, double max, int samples) {}

  private SuiteRun(
      Map<String, String> machine,
      List<double[]> load,
      Map<String, Phase> phases,
      Map<String, List<JsonNode>> rows,
      List<JsonNode> peers) {
    this.machine = machine;
    this.load = load;
    this.phases = phases;
    this.rows = rows;
    this.peers = peers;
  }

  /**
   * Reads a results folder; missing files read as empty.
   *
   * @throws UncheckedIOException when a file exists but cannot be read
   * @throws IllegalArgumentException when a line is malformed (names the file and line)
   */
  public static SuiteRun read(Path dir) {
    Map<String, String> machine = new LinkedHashMap<>();
    for (String[] f : tsv(dir.resolve("machine.tsv"), 2)) {
      machine.put(f[0], f[1]);
    }
    List<double[]> load = new ArrayList<>();
    for (String[] f : tsv(dir.resolve("loadavg.tsv"), 2)) {
      load.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])});
    }
    Map<String, Phase> phases = new LinkedHashMap<>();
    for (String[] f : tsv(dir.resolve("phases.tsv"), 4)) {
      phases.put(f[0], new Phase(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]));
    }
    Map<String, List<JsonNode>> rows = new LinkedHashMap<>();
    for (String workload : List.of("storm", "push", "sdk", "fanout", "bootstrap")) {
      rows.put(workload, jsonLines(dir.resolve(workload + ".jsonl")));
    }
    List<JsonNode> peers = new ArrayList<>();
    Path peerDir = dir.resolve("peers");
    if (Files.isDirectory(peerDir)) {
      try (Stream<Path> files = Files.list(peerDir)) {
        for (Path file : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
          peers.add(JSON.readTree(file.toFile()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + peerDir, e);
      }
    }
    return new SuiteRun(machine, load, phases, rows, peers);
  }

  /** The machine facts, in file order. */
  public Map<String, String> machine() {
    return machine;
  }

  /** Whether the run was a {@code --quick} one (its figures are not results). */
  public boolean quick() {
    return "quick".equals(machine.get("mode"));
  }

  /** The rows {@link ResultLog} wrote for {@code workload}, in file order. */
  public List<JsonNode> rows(String workload) {
    return rows.getOrDefault(workload, List.of());
  }

  /** Every run object of the peers' JSON files ({@code runs[]}, each with its {@code peer}). */
  public List<JsonNode> peerRuns() {
    List<JsonNode> runs = new ArrayList<>();
    for (JsonNode file : peers) {
      for (JsonNode run : file.path("runs")) {
        runs.add(run);
      }
    }
    return runs;
  }

  /** The step named {@code workload}, if the run got to it. */
  public Optional<Phase> phase(String workload) {
    return Optional.ofNullable(phases.get(workload));
  }

  /** Every step, in the order they ran. */
  public List<Phase> phases() {
    return List.copyOf(phases.values());
  }

  /** The load average samples within [from, to] (epoch seconds), if any were taken. */
  public Optional<LoadRange> load(long from, long to) {
    double min = Double.MAX_VALUE;
    double max = 0;
    double sum = 0;
    int n = 0;
    for (double[] sample : load) {
      if (sample[0] >= from && sample[0] <= to) {
        min = Math.min(min, sample[1]);
        max = Math.max(max, sample[1]);
        sum += sample[1];
        n++;
      }
    }
    return n == 0 ? Optional.empty() : Optional.of(new LoadRange(min, sum / n, max, n));
  }

  private static List<String[]> tsv(Path file, int fields) {
    List<String[]> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", fields);
      if (f.length != fields) {
        throw new IllegalArgumentException(
            file + ":" + (i + 1) + ": expected " + fields + " tab-separated fields: " + line);
      }
      out.add(f);
    }
    return out;
  }

  private static List<JsonNode> jsonLines(Path file) {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    try {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).isBlank()) {
          continue;
        }
        try {
          out.add(JSON.readTree(lines.get(i)));
        } catch (IOException e) {
          throw new IllegalArgumentException(file + ":" + (i + 1) + ": not JSON", e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return out;
  }
}
