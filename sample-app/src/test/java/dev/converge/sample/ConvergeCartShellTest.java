package dev.converge.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive mode driven through its input stream, with no server reachable (a closed local
 * port), so the app runs offline: every command, every kind of bad input, and no stack traces.
 */
class ConvergeCartShellTest {

  private static String unreachableServer;

  @TempDir Path dir;

  @BeforeAll
  static void aClosedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      unreachableServer = "ws://127.0.0.1:" + socket.getLocalPort() + "/v1/sync";
    }
  }

  /** What one run printed. */
  record Run(int exitCode, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

    long prompts() {
      return out.split("alice@phone \\[", -1).length - 1;
    }
  }

  private Run run(String input, String... extraArgs) {
    String[] args =
        concat(
            new String[] {
              "--user",
              "alice",
              "--device",
              dir.resolve("phone.db").toString(),
              "--server",
              unreachableServer,
              "--token",
              "not-a-real-token",
              "--sync-timeout-ms",
              "300"
            },
            extraArgs);
    return runArgs(input, args);
  }

  private static Run runArgs(String input, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code =
          ConvergeCart.run(
              args, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), o, e, false);
    }
    Run run =
        new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    assertThat(run.out() + run.err())
        .as("never a stack trace")
        .doesNotContain("\tat ", "Exception");
    return run;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void addQtyRemoveAndCart_editTheLocalCartWhileOffline() {
    Run run =
        run(
            String.join(
                "\n",
                "cart",
                "add coffee 2",
                "add tea",
                "add coffee",
                "cart",
                "qty coffee 5",
                "qty tea 0",
                "add mug 1",
                "remove mug",
                "cart",
                "quit",
                ""));

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("cart is empty")
        .contains("added 2 coffee, now 2 in the cart")
        .contains("added 1 tea, now 1 in the cart")
        .contains("added 1 coffee, now 3 in the cart")
        .contains("cart (2 items, 4 units):\n  coffee  3\n  tea     1")
        .contains("coffee is now 5")
        .contains("removed tea")
        .contains("removed mug")
        .contains("cart (1 item, 5 units):\n  coffee  5")
        .contains("bye");
    assertThat(run.prompts()).isEqualTo(11);
  }

  @Test
  void thePrompt_showsOfflineAndPendingChanges() {
    Run run = run("add coffee 2\nadd tea 1\nquit\n");

    assertThat(run.out())
        .contains("alice@phone [offline]> ")
        .contains("alice@phone [offline, 2 pending]> ");
  }

  @Test
  void profileSetAndProfile_showTheFields_valuesMayHaveSpaces() {
    Run run =
        run("profile\nprofile set name Ada Lovelace\nprofile set city Lisbon\nprofile\nquit\n");

    assertThat(run.out())
        .contains("profile is empty")
        .contains("name = Ada Lovelace")
        .contains("city = Lisbon")
        .contains("profile:\n  city  Lisbon\n  name  Ada Lovelace");
  }

  @Test
  void conflicts_withOneDeviceOnly_areNone() {
    Run run = run("profile set name Ada\nconflicts\nquit\n");

    assertThat(run.lines()).anySatisfy(line -> assertThat(line).endsWith("no conflicts"));
  }

  @Test
  void status_saysOfflineAndCountsPendingChanges() {
    Run run = run("add coffee 1\nstatus\nquit\n");

    assertThat(run.out())
        .contains(
            "connection: offline: cannot reach "
                + unreachableServer
                + " (retrying in the background)")
        .contains("pending:    1 local changes not yet confirmed by the server");
  }

  @Test
  void offlineAndOnline_pauseAndResumeSync() {
    Run run = run("offline\nstatus\nsync\nonline\nstatus\nquit\n");

    assertThat(run.out())
        .contains("offline: edits stay on this device until you type online")
        .contains("connection: offline: sync turned off (type online)")
        .contains("you are offline: type online first (0 pending)")
        .contains("online: connecting to " + unreachableServer)
        .contains("connection: offline: cannot reach " + unreachableServer);
  }

  @Test
  void sync_withTheServerUnreachable_saysSoAndKeepsTheChanges() {
    Run run = run("add coffee 1\nsync\ncart\nquit\n");

    assertThat(run.out())
        .contains(
            "not synced within 0.3 s: cannot reach "
                + unreachableServer
                + "; 1 pending changes stay queued")
        .contains("  coffee  1");
  }

  @Test
  void help_listsEveryCommand() {
    Run run = run("help\nquit\n");

    assertThat(run.out()).contains("commands:");
    for (String command : CartShell.COMMANDS) {
      assertThat(run.out()).contains("\n  " + command);
    }
  }

  @Test
  void theEndOfTheInput_quitsLikeQuit() {
    Run run = run("add coffee 1\n");

    assertThat(run.exitCode()).isZero();
    assertThat(run.prompts()).isEqualTo(2);
  }

  @Test
  void badInput_getsOneLineAndThePromptBack() {
    List<String> bad =
        List.of(
            "frobnicate",
            "add",
            "add coffee lots",
            "add coffee 0",
            "add coffee 1 2",
            "qty coffee",
            "qty",
            "qty coffee many",
            "qty coffee -1",
            "remove",
            "remove nosuch",
            "profile set",
            "profile set name",
            "profile show");
    Run run = run(String.join("\n", bad) + "\nquit\n");

    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.prompts()).isEqualTo(bad.size() + 1);
    // after the banner, each bad line answers with exactly one line before the next prompt
    String[] answers = run.out().split("alice@phone \\[[^\\]]*\\]> ");
    assertThat(answers).hasSize(bad.size() + 2);
    List<String> messages = Arrays.stream(answers, 1, bad.size() + 1).map(String::strip).toList();
    assertThat(messages).allSatisfy(m -> assertThat(m).doesNotContain("\n").isNotEmpty());
    assertThat(messages)
        .containsExactly(
            "unknown command: frobnicate (type help)",
            "usage: add <sku> [qty]",
            "quantity must be a whole number: lots",
            "quantity must be at least 1: 0",
            "usage: add <sku> [qty]",
            "usage: qty <sku> <n>",
            "usage: qty <sku> <n>",
            "quantity must be a whole number: many",
            "quantity must be 0 or more: -1",
            "usage: remove <sku>",
            "not in the cart: nosuch (type cart to see it)",
            "usage: profile set <field> <value>",
            "usage: profile set <field> <value>",
            "usage: profile | profile set <field> <value>");
  }

  @Test
  void theCart_survivesARestartOfTheApp() {
    run("add coffee 3\nquit\n");
    Run again = run("cart\nquit\n");

    assertThat(again.out()).contains("alice@phone [offline, 1 pending]> ").contains("  coffee  3");
  }

  @Test
  void withoutAToken_andNoDevelopmentKey_theAppStillWorksOffline_andSaysWhy() {
    Run run =
        runArgs(
            "add coffee 1\nstatus\nquit\n",
            "--user",
            "alice",
            "--device",
            "phone",
            "--data-dir",
            dir.toString(),
            "--server",
            unreachableServer);

    assertThat(run.exitCode()).isZero();
    assertThat(dir.resolve("sample/alice-phone.db")).exists();
    assertThat(run.out())
        .contains("added 1 coffee")
        .contains(
            "connection: offline: no token: no development key at "
                + dir.resolve("dev-jwt-private.pem"));
  }

  @Test
  void withoutAUser_printsUsageAndExits2() {
    Run run = runArgs("", "--device", "phone");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required option: '--user=NAME'");
  }

  @Test
  void anUnopenableDatabase_isOneLineAndExit1() {
    // a directory is no SQLite file
    Run run =
        runArgs(
            "",
            "--user",
            "alice",
            "--device",
            dir.toString() + "/",
            "--server",
            unreachableServer,
            "--token",
            "t");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip()).startsWith("converge-cart: ").doesNotContain("\n");
  }

  @Test
  void demo_withTheServerUnreachable_failsWithOneLine() {
    Run run = runArgs("", "demo", "--server", unreachableServer, "--data-dir", dir.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip())
        .isEqualTo(
            "converge-cart demo: no development key at "
                + dir.resolve("dev-jwt-private.pem")
                + " (a local server creates it on its first start)");
  }

  @Test
  void demo_withAKeyButNoServer_failsWithOneLine() throws Exception {
    SampleDevTokensTest.writeKeyPair(dir);
    Run run =
        runArgs(
            "",
            "demo",
            "--server",
            unreachableServer,
            "--data-dir",
            dir.toString(),
            "--connect-timeout",
            "1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip())
        .isEqualTo(
            "converge-cart demo: cannot reach the Converge server at "
                + unreachableServer
                + " within 1 s; start it first: bash scripts/run-server.sh");
  }
}
