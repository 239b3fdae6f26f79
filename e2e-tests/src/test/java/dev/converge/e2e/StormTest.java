package dev.converge.e2e;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded storms against real processes ({@link StormRun}): two server nodes on the test database,
 * six SDK clients behind fault proxies, server kills, database connection kills and client
 * SIGKILLs; then the history and final states are checked ({@link StormCheckers}).
 *
 * <p>By default a small fixed set of seeds runs (the CI slice). System properties:
 *
 * <ul>
 *   <li>{@code -Dstorm.seed=S}: replay one seed;
 *   <li>{@code -Dstorm.seeds=N} (with {@code -Dstorm.firstSeed=F}, default random): the long run,
 *       seeds F to F+N-1;
 *   <li>{@code -Dstorm.duration=PT20S}: how long each storm lasts;
 *   <li>{@code -Dstorm.retention=PT15S}: the servers keep that much log (compacted every 5 s), so
 *       clients that were away longer catch up from snapshots;
 *   <li>{@code -Dstorm.silentUpgrades=true}: adds the fault class of an open SDK bug (see {@code
 *       docs/reliability.md});
 *   <li>{@code -Dstorm.report=target/storm-results.tsv}: where each storm's figures are appended.
 * </ul>
 */
class StormTest {

  /** The CI slice: a few seeds, short storms. */
  private static final List<Long> CI_SEEDS = List.of(1L, 2L);

  private static final Duration DEFAULT_DURATION = Duration.ofSeconds(20);

  private static List<TestServer.Node> nodes;

  @BeforeAll
  static void twoNodes() {
    CompletableFuture<TestServer.Node> a = CompletableFuture.supplyAsync(() -> node("storm-a"));
    CompletableFuture<TestServer.Node> b = CompletableFuture.supplyAsync(() -> node("storm-b"));
    nodes = List.of(a.join(), b.join());
  }

  private static TestServer.Node node(String name) {
    Map<String, String> env = new TreeMap<>();
    String retention = System.getProperty("storm.retention");
    if (retention != null && !retention.isBlank()) {
      // A short log: clients offline for longer catch up from snapshots.
      env.put("CONVERGE_LOG_RETENTION", retention.trim());
      env.put("CONVERGE_LOG_COMPACTION_INTERVAL", "PT5S");
    }
    try {
      TestServer.Node node = TestServer.Node.start(name, name, env);
      Runtime.getRuntime().addShutdownHook(new Thread(node::close));
      return node;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start " + name, e);
    }
  }

  @AfterAll
  static void stopNodes() {
    if (nodes != null) {
      nodes.forEach(TestServer.Node::close);
    }
  }

  static Stream<Long> seeds() {
    String one = System.getProperty("storm.seed");
    if (one != null && !one.isBlank()) {
      return Stream.of(Long.parseLong(one.trim()));
    }
    String many = System.getProperty("storm.seeds");
    if (many != null && !many.isBlank()) {
      long first =
          Long.getLong("storm.firstSeed", Math.floorMod(System.nanoTime(), 1_000_000L) * 1_000);
      System.out.println(
          "storm: seeds " + first + " to " + (first + Long.parseLong(many.trim()) - 1));
      return LongStream.range(first, first + Long.parseLong(many.trim())).boxed();
    }
    return CI_SEEDS.stream();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void storm_losesNoWrite_keepsSessions_andConverges(long seed) throws Exception {
    Duration duration = duration();
    for (TestServer.Node node : nodes) {
      for (int attempt = 1; !node.alive(); attempt++) {
        try {
          node.restart();
        } catch (IllegalStateException e) {
          if (attempt == 3) {
            throw e;
          }
        }
      }
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
    Path dir = Path.of("target/storm", seed + "-" + stamp).toAbsolutePath();
    boolean silentUpgrades = Boolean.getBoolean("storm.silentUpgrades");
    StormRun.Result result = new StormRun(seed, duration, nodes, dir, silentUpgrades).run();
    System.out.println(result);
    StormRun.appendFigures(
        Path.of(System.getProperty("storm.report", "target/storm-results.tsv")), result);
    if (!result.violations.isEmpty()) {
      fail(
          result.violations.size()
              + " violations in storm seed "
              + seed
              + " (files in "
              + dir
              + "):\n  "
              + result.violations.stream()
                  .limit(40)
                  .map(Object::toString)
                  .collect(Collectors.joining("\n  "))
              + "\nReplay: "
              + replay(seed, duration, silentUpgrades));
    }
  }

  private static Duration duration() {
    String value = System.getProperty("storm.duration");
    return value == null || value.isBlank() ? DEFAULT_DURATION : Duration.parse(value.trim());
  }

  /** The command that replays one seed. */
  static String replay(long seed, Duration duration, boolean silentUpgrades) {
    return "CONVERGE_TEST_DB_URL="
        + TestServer.databaseUrl()
        + " mvn -B verify -pl e2e-tests -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false"
        + " -Dit.test=StormTest -Dfailsafe.failIfNoSpecifiedTests=false -Dstorm.seed="
        + seed
        + (duration.equals(DEFAULT_DURATION) ? "" : " -Dstorm.duration=" + duration)
        + (silentUpgrades ? " -Dstorm.silentUpgrades=true" : "")
        + (System.getProperty("storm.retention", "").isBlank()
            ? ""
            : " -Dstorm.retention=" + System.getProperty("storm.retention").trim());
  }
}
