package dev.converge.bench.suite;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends a bench's measurements to a results file as JSON Lines (one object per line), the
 * machine-readable form {@link SuiteReport} turns into the tables of docs/benchmarks.md. Every row
 * carries the command that produced it and the time it was written (epoch seconds). Appends are
 * synchronized on the class, so concurrent writers of one JVM do not interleave lines.
 */
public final class ResultLog {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Options whose values are specific to one run (ports, pids, files) and stay out of commands. */
  private static final List<String> RUN_SPECIFIC = List.of("--results", "--server-pid", "--pid");

  private ResultLog() {}

  /**
   * The command line a row names: the main class and its arguments, less the run-specific options.
   *
   * @param main the entry point's class
   * @param args the arguments it was given
   * @return e.g. {@code java -cp bench/target/benchmarks.jar dev.converge.bench.sdk.SdkBench
   *     --writes 20000}
   */
  public static String command(Class<?> main, String[] args) {
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (RUN_SPECIFIC.contains(name)) {
        if (!arg.contains("=")) {
          i++;
        }
        continue;
      }
      kept.add(arg);
    }
    String tail = kept.isEmpty() ? "" : " " + String.join(" ", kept);
    // A heap limit is part of what was measured (the bootstrap's bound), so it stays.
    String heap =
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("-Xmx"))
            .map(a -> a + " ")
            .findFirst()
            .orElse("");
    return "java " + heap + "-cp bench/target/benchmarks.jar " + main.getName() + tail;
  }

  /**
   * Appends one row; does nothing when {@code file} is null (the bench was run without results).
   *
   * @param file the JSON Lines file, created with its folders if missing
   * @param workload the workload the row belongs to (storm, push, sdk, fanout, bootstrap)
   * @param command the command that produced the row (see {@link #command})
   * @param fields the measurements, in the order they should appear
   * @throws UncheckedIOException when the file cannot be written
   */
  public static synchronized void append(
      Path file, String workload, String command, Map<String, ?> fields) {
    if (file == null) {
      return;
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("workload", workload);
    row.put("at", System.currentTimeMillis() / 1000);
    row.putAll(fields);
    row.put("command", command);
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.writeString(
          file,
          JSON.writeValueAsString(row) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file, e);
    }
  }
}
