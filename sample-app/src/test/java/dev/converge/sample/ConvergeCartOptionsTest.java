package dev.converge.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: the forms of --server, the help text, and the quantity limit. */
class ConvergeCartOptionsTest {

  private static int closedPort;

  @TempDir Path dir;

  @BeforeAll
  static void aClosedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
  }

  record Run(int exitCode, String out, String err, long millis) {}

  private static Run run(String input, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long start = System.nanoTime();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code =
          ConvergeCart.run(
              args, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), o, e, false);
    }
    return new Run(
        code,
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8),
        (System.nanoTime() - start) / 1_000_000);
  }

  private Run shell(String input, String server) {
    return run(
        input,
        "--user",
        "alice",
        "--device",
        dir.resolve("phone.db").toString(),
        "--server",
        server,
        "--token",
        "t",
        "--sync-timeout-ms",
        "300");
  }

  @Test
  void theServersHttpUrl_isAccepted_asItsSyncWebSocket() {
    Run run = shell("quit\n", "http://127.0.0.1:" + closedPort);

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("syncing with ws://127.0.0.1:" + closedPort + "/v1/sync. Type help");
  }

  @Test
  void anUnusableServer_failsAtOnce_withWhatIsAccepted() {
    Run run = shell("quit\n", "ftp://127.0.0.1:" + closedPort);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.millis()).isLessThan(5_000);
    assertThat(run.err())
        .contains("--server 'ftp://127.0.0.1:" + closedPort + "' has the scheme ftp")
        .contains("http://localhost:8080");
    assertThat(dir.resolve("phone.db")).doesNotExist();
  }

  @Test
  void demo_acceptsTheHttpUrl_andRefusesOthersAtOnce() {
    Run bad = run("", "demo", "--server", "localhost:8080", "--data-dir", dir.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--server 'localhost:8080' ");

    Run http =
        run("", "demo", "--server", "http://127.0.0.1:" + closedPort, "--data-dir", dir.toString());
    // past the address, the demo stops at the missing key (before any connection attempt)
    assertThat(http.exitCode()).isEqualTo(1);
    assertThat(http.err()).contains("no development key at");
  }

  @Test
  void help_endsEverySentence() {
    for (String[] args : new String[][] {{"--help"}, {"demo", "--help"}}) {
      Run run = run("", args);

      assertThat(run.exitCode()).isZero();
      assertThat(helpEntries(run.out()))
          .as("paragraphs, options and commands of: %s", String.join(" ", args))
          .isNotEmpty()
          .allSatisfy(entry -> assertThat(entry).endsWith("."));
    }
    assertThat(run("", "--help").out())
        .contains("demo  Runs the two-device story against a running server and explains each");
  }

  /**
   * The help's paragraphs and its option and command entries, each joined into one line: a wrapped
   * line is joined to its entry, so an entry that does not end with a full stop was cut.
   */
  static List<String> helpEntries(String help) {
    List<String> entries = new ArrayList<>();
    StringBuilder current = null;
    boolean paragraph = false;
    for (String line : help.lines().toList()) {
      if (line.isBlank()
          || line.startsWith("Usage:")
          || line.matches("\\s+\\[.*")
          || line.equals("Commands:")) {
        current = null;
        continue;
      }
      boolean startsFlush = !line.startsWith(" ");
      boolean continuation =
          current != null && (line.matches("\\s{9,}\\S.*") || (startsFlush && paragraph));
      if (continuation) {
        current.append(' ').append(line.strip());
      } else {
        current = new StringBuilder(line.strip());
        entries.add(null);
        paragraph = startsFlush;
      }
      entries.set(entries.size() - 1, current.toString());
    }
    return entries;
  }

  @Test
  void quantities_beyondTwoToThe53MinusOne_orOneChangeBeyond2To31_areRefusedWithTheLimit() {
    Run run =
        shell(
            String.join(
                "\n",
                "add coffee 9007199254740992",
                "qty coffee 99999999999999999999999",
                "add coffee 2147483649",
                "add coffee 2147483648",
                "qty coffee 4294967297",
                "qty coffee 4294967296",
                "cart",
                "quit",
                ""),
            "ws://127.0.0.1:" + closedPort + "/v1/sync");

    assertThat(run.out())
        .contains("quantity beyond the limit of ±(2^53-1) = ±9007199254740991: 9007199254740992")
        .contains(
            "quantity beyond the limit of ±(2^53-1) = ±9007199254740991: 99999999999999999999999")
        .contains("one change moves a quantity by at most 2147483648 (2^31), not 2147483649")
        .contains("added 2147483648 coffee")
        .contains("one change moves a quantity by at most 2147483648 (2^31), not 2147483649")
        .contains("coffee is now 4294967296")
        .contains("  coffee  4294967296")
        .doesNotContain("error:");
  }

  @Test
  void beyondLimits_keepsAQuantityWithin2To53Minus1() {
    assertThat(CartCommands.beyondLimits(CartCommands.MAX_QUANTITY - 5, 5)).isNull();
    assertThat(CartCommands.beyondLimits(CartCommands.MAX_QUANTITY - 5, 6))
        .isEqualTo("a quantity stays within 9007199254740991 (2^53-1); this would make it larger");
    assertThat(CartCommands.beyondLimits(0, -(1L << 31))).isNull();
    assertThat(CartCommands.beyondLimits(0, -(1L << 31) - 1)).startsWith("one change moves");
  }
}
