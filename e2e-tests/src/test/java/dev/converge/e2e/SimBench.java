package dev.converge.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Measures what a simulated seed costs (docs/reliability.md): plays {@code count} seeds from {@code
 * first} on one thread after {@code warm} seeds that warm the JVM up, and prints the wall and CPU
 * time per seed, the failing seeds, the figures and the load average. A benchmark, not a test: run
 * it as a plain main on the e2e test classpath, {@code SimBench first count warm [plant]}.
 */
public final class SimBench {

  private SimBench() {}

  /** Runs the measurement; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    long first = Long.parseLong(args[0]);
    int count = Integer.parseInt(args[1]);
    int warm = Integer.parseInt(args[2]);
    String plant = args.length > 3 ? args[3] : "";
    var threads = ManagementFactory.getThreadMXBean();
    Path shm = Path.of("/dev/shm");
    Path root =
        Files.isWritable(shm)
            ? Files.createTempDirectory(shm, "converge-simbench-")
            : Files.createTempDirectory("converge-simbench-");
    long wall = 0;
    long cpu = 0;
    int failing = 0;
    SimFigures figures = new SimFigures();
    for (long seed = first - warm; seed < first + count; seed++) {
      Path dir = Files.createDirectories(root.resolve("seed-" + seed));
      long wall0 = System.nanoTime();
      long cpu0 = threads.getCurrentThreadCpuTime();
      SimRun.Result result = new SimRun(seed, dir, plant).run();
      long wall1 = System.nanoTime();
      long cpu1 = threads.getCurrentThreadCpuTime();
      delete(dir);
      if (seed < first) {
        continue;
      }
      wall += wall1 - wall0;
      cpu += cpu1 - cpu0;
      figures.add(result.figures());
      if (!result.violations().isEmpty()) {
        failing++;
        System.out.println("seed " + seed + ": " + result.violations());
      }
    }
    delete(root);
    System.out.println(figures);
    System.out.printf(
        "seeds %d..%d after %d to warm up: %.0f ms of wall time, %.0f ms of CPU per seed;"
            + " %d failing; load average %s%n",
        first,
        first + count - 1,
        warm,
        wall / 1e6 / count,
        cpu / 1e6 / count,
        failing,
        Files.readString(Path.of("/proc/loadavg")).trim());
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
