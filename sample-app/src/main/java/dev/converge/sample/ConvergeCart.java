package dev.converge.sample;

import dev.converge.devtokens.LocalDevTokens;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncException;
import dev.converge.sdk.TokenSupplier;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code converge-cart}: a terminal shopping cart that syncs between devices through a Converge
 * server, and works offline. Also the entry point of the {@code demo} subcommand.
 *
 * <p>Not thread-safe; one instance per run.
 */
@Command(
    name = "converge-cart",
    mixinStandardHelpOptions = true,
    version = "converge-cart 0.1.0",
    sortOptions = false,
    subcommands = DemoCommand.class,
    // One paragraph per string: picocli breaks each string at the width, so a string that ends
    // mid-sentence shows as a cut line (and the command list shows only a description's first).
    usageHelpWidth = ConvergeCart.HELP_WIDTH,
    description =
        "A shopping cart and profile of one user, kept on this device in SQLite and synced with"
            + " the other devices of the user through a Converge server. Works offline; type help"
            + " at the prompt.")
public final class ConvergeCart implements Callable<Integer> {

  /** Columns of the help text: wide enough that no URL or file name in it is broken. */
  static final int HELP_WIDTH = 100;

  /** The server the app talks to unless told otherwise. */
  public static final String DEFAULT_SERVER = "ws://localhost:8080/v1/sync";

  @Option(
      names = "--user",
      paramLabel = "NAME",
      description = "Who you are: the token's subject, whose own space user:NAME holds the cart.")
  String user;

  @Option(
      names = "--device",
      paramLabel = "NAME|FILE",
      defaultValue = "default",
      description =
          "This device: a name (the database is <data-dir>/sample/<user>-<NAME>.db) or the path of"
              + " a .db file. Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(
      names = "--server",
      paramLabel = "URL",
      defaultValue = DEFAULT_SERVER,
      description =
          "The server: its URL (http://localhost:8080; https maps to wss) or its sync WebSocket."
              + " Default: ${DEFAULT-VALUE}.")
  String serverAddress;

  /** The sync WebSocket {@link #serverAddress} names; set by {@link #call()}. */
  URI server;

  @Option(
      names = "--token",
      paramLabel = "JWT",
      description =
          "A token to present. Default: minted for --user with the server's development key.")
  String token;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "The server's data directory, holding dev-jwt-private.pem. Default: $CONVERGE_DATA_DIR or"
              + " ~/.converge.")
  Path dataDir;

  @Option(
      names = "--sync-timeout-ms",
      hidden = true,
      defaultValue = "10000",
      description = "How long the sync command waits.")
  long syncTimeoutMillis;

  @Spec CommandSpec spec;

  final InputStream in;
  final PrintStream out;
  final PrintStream err;
  private final boolean terminal;

  ConvergeCart(InputStream in, PrintStream out, PrintStream err, boolean terminal) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /** Runs the app on the process's standard streams and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err, isTerminal()));
  }

  /**
   * Runs the app with {@code args} on the given streams; with {@code terminal} true the prompt is a
   * line editor, otherwise plain lines are read from {@code in}.
   *
   * @return the exit code: 0 on success, 1 on failure, 2 on bad options
   */
  public static int run(
      String[] args, InputStream in, PrintStream out, PrintStream err, boolean terminal) {
    CommandLine commandLine = new CommandLine(new ConvergeCart(in, out, err, terminal));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    // one line, never a stack trace
    commandLine.setExecutionExceptionHandler(
        (e, cl, parsed) -> {
          err.println(cl.getCommandName() + ": " + oneLine(e));
          return 1;
        });
    return commandLine.execute(args);
  }

  @Override
  public Integer call() {
    if (user == null || user.isBlank()) {
      throw new ParameterException(
          spec.commandLine(),
          "Missing required option: '--user=NAME' (or run the demo: converge-cart demo)");
    }
    try {
      server = ServerAddress.syncUri(serverAddress);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Path data = dataDir != null ? dataDir : LocalDevTokens.defaultDataDir();
    Path database = databaseFile(data);
    try {
      Path parent = database.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + database.toAbsolutePath().getParent(), e);
    }
    AtomicReference<String> tokenProblem = new AtomicReference<>();
    TokenSupplier tokens = tokenSupplier(data, tokenProblem);
    String deviceName =
        isPath() ? database.getFileName().toString().replaceFirst("\\.db$", "") : device;
    try (SyncClient client =
            SyncClient.builder()
                .databasePath(database)
                .serverUri(server)
                .tokenSupplier(tokens)
                .subscribe("user:" + user)
                .replicaName(deviceName)
                // a person waits at the prompt: retry often, at most every 5 s
                .backoff(Duration.ofMillis(250), Duration.ofSeconds(5))
                .build()
                .connect();
        ShellConsole console = openConsole()) {
      return new CartShell(
              client,
              user,
              deviceName,
              server.toString(),
              console,
              Duration.ofMillis(syncTimeoutMillis),
              tokenProblem::get)
          .run();
    }
  }

  /** The device's SQLite file: a path as given, or a name under the data directory. */
  Path databaseFile(Path data) {
    return isPath() ? Path.of(device) : data.resolve("sample").resolve(user + "-" + device + ".db");
  }

  private boolean isPath() {
    return device.endsWith(".db") || device.contains("/") || device.contains("\\");
  }

  private TokenSupplier tokenSupplier(Path data, AtomicReference<String> problem) {
    if (token != null) {
      return () -> token;
    }
    LocalDevTokens minter = LocalDevTokens.in(data);
    return () -> {
      try {
        String fresh = minter.mint(user);
        problem.set(null);
        return fresh;
      } catch (Exception e) {
        problem.set(e.getMessage());
        throw e;
      }
    };
  }

  private ShellConsole openConsole() {
    if (terminal) {
      try {
        return ShellConsole.terminal(CartShell.COMMANDS);
      } catch (RuntimeException e) {
        err.println("converge-cart: no line editor (" + oneLine(e) + "); reading plain lines");
      }
    }
    return ShellConsole.plain(in, out);
  }

  /** Whether stdin and stdout are a terminal (JDK 22+ also report a console when redirected). */
  static boolean isTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // before JDK 22 a console exists only on a terminal
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  /** A failure as one line for the user: the SDK's message, or the exception's. */
  static String oneLine(Throwable e) {
    Throwable shown = e;
    while (shown.getCause() != null
        && (shown.getMessage() == null || shown instanceof UncheckedIOException)) {
      shown = shown.getCause();
    }
    String message =
        shown instanceof SyncException se
            ? se.code() + ": " + se.getMessage()
            : shown.getMessage() != null ? shown.getMessage() : shown.getClass().getSimpleName();
    if (e instanceof UncheckedIOException && e.getMessage() != null && shown != e) {
      message = e.getMessage() + ": " + message;
    }
    return message.lines().findFirst().orElse("");
  }
}
