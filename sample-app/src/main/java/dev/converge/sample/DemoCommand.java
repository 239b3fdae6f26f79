package dev.converge.sample;

import dev.converge.devtokens.LocalDevTokens;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The {@code demo} subcommand: runs {@link Demo} against a server with development tokens. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    usageHelpWidth = ConvergeCart.HELP_WIDTH,
    header = "Runs the two-device story against a running server and explains each merge.",
    description =
        "Two devices of one new user against a running server: the phone goes offline, both edit"
            + " the cart and the profile, the phone reconnects, and the merged result is printed"
            + " with one line per conflict. Exits 0 on success, 1 with a one-line message otherwise"
            + " (such as no server).")
final class DemoCommand implements Callable<Integer> {

  @ParentCommand ConvergeCart parent;

  @Spec CommandSpec spec;

  @Option(
      names = "--server",
      paramLabel = "URL",
      defaultValue = ConvergeCart.DEFAULT_SERVER,
      description =
          "The server: its URL (http://localhost:8080; https maps to wss) or its sync WebSocket."
              + " Default: ${DEFAULT-VALUE}.")
  String serverAddress;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "The server's data directory, holding dev-jwt-private.pem. Default: $CONVERGE_DATA_DIR or"
              + " ~/.converge.")
  Path dataDir;

  @Option(
      names = "--connect-timeout",
      paramLabel = "SECONDS",
      defaultValue = "15",
      description = "How long to wait for the server. Default: ${DEFAULT-VALUE}.")
  long connectTimeoutSeconds;

  @Override
  public Integer call() {
    URI server;
    try {
      server = ServerAddress.syncUri(serverAddress);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    LocalDevTokens tokens =
        LocalDevTokens.in(dataDir != null ? dataDir : LocalDevTokens.defaultDataDir());
    try {
      // fail at once, with the minter's one-line message, when there is no key to sign with
      tokens.mint("demo-check");
    } catch (IllegalStateException e) {
      parent.err.println("converge-cart demo: " + e.getMessage());
      return 1;
    }
    try {
      new Demo(server, user -> () -> tokens.mint(user), parent.out)
          .withTimeouts(Duration.ofSeconds(connectTimeoutSeconds), Duration.ofSeconds(30))
          .run();
      return 0;
    } catch (Demo.DemoException e) {
      parent.out.flush();
      parent.err.println("converge-cart demo: " + e.getMessage());
      return 1;
    }
  }
}
