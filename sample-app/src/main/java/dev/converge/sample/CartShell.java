package dev.converge.sample;

import dev.converge.sdk.Cart;
import dev.converge.sdk.ListenerToken;
import dev.converge.sdk.Profile;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncException;
import dev.converge.sdk.SyncStatus;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The interactive cart: reads commands from a {@link ShellConsole}, applies them to one user's cart
 * and profile through the public SDK API, and prints what changes arrive from other devices.
 *
 * <p>Every command answers in a line or a short block; bad input gets a one-line message and the
 * prompt back. The prompt carries the sync indicator, such as {@code [offline, 2 pending]}.
 * Commands run on the caller's thread; listener output comes from the SDK's listener thread.
 */
final class CartShell {

  /** Cart document id of the app. */
  static final String CART_ID = "main";

  /** Profile document id of the app. */
  static final String PROFILE_ID = "me";

  /** The command names, for help and completion. */
  static final List<String> COMMANDS =
      List.of(
          "add",
          "qty",
          "remove",
          "cart",
          "profile",
          "conflicts",
          "status",
          "offline",
          "online",
          "sync",
          "help",
          "quit");

  private static final String HELP =
      String.join(
          "\n",
          "commands:",
          "  add <sku> [qty]               add qty units (default 1) of an item",
          "  qty <sku> <n>                 set the quantity of an item (0 removes it)",
          "  remove <sku>                  remove an item",
          "  cart                          show the cart",
          "  profile set <field> <value>   set a profile field (the value may contain spaces)",
          "  profile                       show the profile",
          "  conflicts                     show profile fields written concurrently on two devices",
          "  status                        show the connection, pending changes and staleness",
          "  offline                       stop syncing (edits keep working and queue up)",
          "  online                        sync again",
          "  sync                          wait until the server has confirmed everything",
          "  help                          this list",
          "  quit                          leave (unsent changes stay for the next start)");

  private static final Duration STATUS_SETTLE = Duration.ofSeconds(2);

  private final SyncClient client;
  private final Cart cart;
  private final Profile profile;
  private final String prompt;
  private final ShellConsole console;
  private final CartView view;
  private final CartCommands commands;
  private final ShellEcho echo;

  /**
   * Creates a shell over {@code client} for {@code user} on {@code device}.
   *
   * @param tokenProblem the last reason no token could be had, or null; shown while not connected
   */
  CartShell(
      SyncClient client,
      String user,
      String device,
      String serverDescription,
      ShellConsole console,
      Duration syncTimeout,
      Supplier<String> tokenProblem) {
    this.client = Objects.requireNonNull(client, "client");
    String space = "user:" + user;
    this.cart = client.cart(space, CART_ID);
    this.profile = client.profile(space, PROFILE_ID);
    this.prompt = user + "@" + device;
    this.console = Objects.requireNonNull(console, "console");
    this.view = new CartView(serverDescription, tokenProblem);
    this.commands =
        new CartCommands(
            client, cart, profile, console, view, Objects.requireNonNull(syncTimeout, "timeout"));
    this.echo = new ShellEcho(client, cart, profile, console, view);
  }

  /**
   * Reads and runs commands until {@code quit} or the end of the input; returns the exit code 0.
   */
  int run() {
    List<ListenerToken> tokens = echo.listen();
    try {
      console.println(
          "converge-cart: cart '"
              + CART_ID
              + "' of "
              + cart.key().space()
              + ", syncing with "
              + view.server()
              + ". Type help for the commands.");
      while (true) {
        String line = console.readLine(this::prompt);
        if (line == null || !execute(line)) {
          break;
        }
      }
      return 0;
    } finally {
      tokens.forEach(ListenerToken::remove);
    }
  }

  /** Returns the prompt: who, where, and the sync indicator. */
  String prompt() {
    return prompt + " " + CartView.indicator(client.status()) + "> ";
  }

  /**
   * Runs one command line; returns false if the shell should end. Never throws: failures become a
   * one-line message.
   */
  boolean execute(String line) {
    String trimmed = line.strip();
    if (trimmed.isEmpty()) {
      return true;
    }
    String[] words = trimmed.split("\\s+");
    String command = words[0].toLowerCase(Locale.ROOT);
    if (command.equals("quit") || command.equals("exit")) {
      console.println("bye");
      return false;
    }
    SyncStatus before = client.status();
    try {
      // true where the SDK publishes a new status after the command (a write, a reconnect)
      boolean statusMayChange =
          switch (command) {
            case "add" -> commands.add(words);
            case "qty" -> commands.quantity(words);
            case "remove" -> commands.remove(words);
            case "profile" -> commands.profile(trimmed, words);
            case "cart" -> print(CartView.describeCart(cart.items()));
            case "conflicts" ->
                print(CartView.describeConflicts(profile.conflicts(), client.replicaId()));
            case "status" -> print(view.describeStatus(client.status()));
            case "offline" -> {
              client.pause();
              yield print("offline: edits stay on this device until you type online");
            }
            case "online" -> {
              client.resume();
              print("online: connecting to " + view.server());
              yield true;
            }
            case "sync" -> {
              commands.sync();
              yield false;
            }
            case "help", "?" -> print(HELP);
            default -> print("unknown command: " + words[0] + " (type help)");
          };
      if (statusMayChange) {
        awaitStatusAfter(before);
      }
    } catch (SyncException e) {
      console.println("error: " + e.getMessage());
    } catch (RuntimeException e) {
      // a bug of ours or the SDK's: one line, no stack trace, and the shell goes on
      console.println("error: " + e);
    }
    return true;
  }

  /** Prints a command's answer; the command changes no status. */
  private boolean print(String text) {
    console.println(text);
    return false;
  }

  /**
   * Gives the SDK a moment to publish the status a command changed (it does so on its sync thread)
   * and, when online, to get the server's ack, so that the next prompt shows where things stand
   * rather than a transient "1 pending". Bounded: a slow server just shows as pending.
   */
  private void awaitStatusAfter(SyncStatus before) {
    long deadline = System.nanoTime() + STATUS_SETTLE.toNanos();
    while (unsettled(before, client.status()) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static boolean unsettled(SyncStatus before, SyncStatus now) {
    return now.equals(before) || now.online() && now.pendingChanges() > 0;
  }
}
