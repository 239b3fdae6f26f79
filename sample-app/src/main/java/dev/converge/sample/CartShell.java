package dev.converge.sample;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.sdk.Cart;
import dev.converge.sdk.ChangeEvent;
import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.FieldConflict;
import dev.converge.sdk.FieldValue;
import dev.converge.sdk.ListenerToken;
import dev.converge.sdk.Profile;
import dev.converge.sdk.SpaceStatus;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncException;
import dev.converge.sdk.SyncStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SortedMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

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
  private final String serverDescription;
  private final ShellConsole console;
  private final Duration syncTimeout;
  private final Supplier<String> tokenProblem;
  private volatile boolean wasOnline;

  /** Set by commands after which the SDK publishes a new status (a write, a reconnect). */
  private boolean statusMayChange;

  private volatile boolean authReported;

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
    this.serverDescription = serverDescription;
    this.console = Objects.requireNonNull(console, "console");
    this.syncTimeout = Objects.requireNonNull(syncTimeout, "syncTimeout");
    this.tokenProblem = Objects.requireNonNull(tokenProblem, "tokenProblem");
  }

  /**
   * Reads and runs commands until {@code quit} or the end of the input; returns the exit code 0.
   */
  int run() {
    wasOnline = client.status().online();
    List<ListenerToken> tokens =
        List.of(
            cart.addChangeListener(this::onRemoteCartChange),
            profile.addChangeListener(this::onRemoteProfileChange),
            client.addStatusListener(this::onStatus));
    try {
      console.println(
          "converge-cart: cart '"
              + CART_ID
              + "' of "
              + cart.key().space()
              + ", syncing with "
              + serverDescription
              + ". Type help for the commands.");
      while (true) {
        String line = console.readLine(prompt());
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
    return prompt + " " + indicator(client.status()) + "> ";
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
    SyncStatus before = client.status();
    statusMayChange = false;
    try {
      switch (words[0].toLowerCase(Locale.ROOT)) {
        case "add" -> add(words);
        case "qty" -> quantity(words);
        case "remove" -> remove(words);
        case "cart" -> console.println(describeCart(cart.items()));
        case "profile" -> profile(trimmed, words);
        case "conflicts" ->
            console.println(describeConflicts(profile.conflicts(), client.replicaId()));
        case "status" -> console.println(describeStatus(client.status()));
        case "offline" -> {
          client.pause();
          console.println("offline: edits stay on this device until you type online");
        }
        case "online" -> {
          client.resume();
          statusMayChange = true;
          console.println("online: connecting to " + serverDescription);
        }
        case "sync" -> sync();
        case "help", "?" -> console.println(HELP);
        case "quit", "exit" -> {
          console.println("bye");
          return false;
        }
        default -> console.println("unknown command: " + words[0] + " (type help)");
      }
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

  private void add(String[] words) {
    if (words.length < 2 || words.length > 3) {
      console.println("usage: add <sku> [qty]");
      return;
    }
    long quantity = 1;
    if (words.length == 3) {
      Long parsed = parseQuantity(words[2]);
      if (parsed == null) {
        return;
      }
      if (parsed < 1) {
        console.println("quantity must be at least 1: " + words[2]);
        return;
      }
      quantity = parsed;
    }
    cart.add(words[1], quantity);
    statusMayChange = true;
    console.println(
        "added " + quantity + " " + words[1] + ", now " + cart.quantity(words[1]) + " in the cart");
  }

  private void quantity(String[] words) {
    if (words.length != 3) {
      console.println("usage: qty <sku> <n>");
      return;
    }
    Long parsed = parseQuantity(words[2]);
    if (parsed == null) {
      return;
    }
    if (parsed < 0) {
      console.println("quantity must be 0 or more: " + words[2]);
      return;
    }
    cart.setQuantity(words[1], parsed);
    statusMayChange = true;
    console.println(parsed == 0 ? "removed " + words[1] : words[1] + " is now " + parsed);
  }

  private void remove(String[] words) {
    if (words.length != 2) {
      console.println("usage: remove <sku>");
      return;
    }
    if (!cart.items().containsKey(words[1])) {
      console.println("not in the cart: " + words[1] + " (type cart to see it)");
      return;
    }
    cart.remove(words[1]);
    statusMayChange = true;
    console.println("removed " + words[1]);
  }

  private void profile(String line, String[] words) {
    if (words.length == 1) {
      console.println(describeProfile(profile.fields()));
      return;
    }
    if (!words[1].equalsIgnoreCase("set")) {
      console.println("usage: profile | profile set <field> <value>");
      return;
    }
    // the value is the rest of the line, spaces included
    String[] parts = line.split("\\s+", 4);
    if (parts.length < 4) {
      console.println("usage: profile set <field> <value>");
      return;
    }
    profile.set(parts[2], parts[3]);
    statusMayChange = true;
    console.println(parts[2] + " = " + parts[3]);
  }

  private void sync() {
    SyncStatus status = client.status();
    if (status.connection() == ConnectionState.PAUSED) {
      console.println(
          "you are offline: type online first (" + status.pendingChanges() + " pending)");
      return;
    }
    try {
      client.syncNow(syncTimeout).get(syncTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      console.println(
          "synced: the server has every change of this device and this device is up to date");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SyncException se && se.code() == SyncException.Code.TIMEOUT) {
        notSynced();
      } else {
        console.println(
            "sync failed: "
                + (cause instanceof SyncException se ? se.getMessage() : String.valueOf(cause)));
      }
    } catch (TimeoutException e) {
      notSynced();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      console.println("sync interrupted");
    }
  }

  private void notSynced() {
    SyncStatus status = client.status();
    console.println(
        "not synced within "
            + seconds(syncTimeout)
            + ": "
            + (status.online() ? "the server is slow" : "cannot reach " + serverDescription)
            + "; "
            + status.pendingChanges()
            + " pending changes stay queued");
  }

  // ---- listeners (on the SDK's listener thread) ---------------------------------------------

  private void onRemoteCartChange(ChangeEvent event) {
    if (!event.isLocal()) {
      SortedMap<String, Long> items = cart.items();
      console.printAsync(
          "<< from another device: cart is now "
              + (items.isEmpty()
                  ? "empty"
                  : items.entrySet().stream()
                      .map(e -> e.getKey() + " " + e.getValue())
                      .collect(Collectors.joining(", "))));
    }
  }

  private void onRemoteProfileChange(ChangeEvent event) {
    if (!event.isLocal()) {
      SortedMap<String, JsonNode> fields = profile.fields();
      console.printAsync(
          "<< from another device: profile is now "
              + (fields.isEmpty()
                  ? "empty"
                  : fields.entrySet().stream()
                      .map(e -> e.getKey() + "=" + text(e.getValue()))
                      .collect(Collectors.joining(", "))));
    }
  }

  /** Announces connection changes, but not failed start-up attempts nor the user's own offline. */
  private void onStatus(SyncStatus status) {
    boolean online = status.online();
    boolean before = wasOnline;
    if (status.connection() == ConnectionState.AUTH_FAILED && !authReported) {
      authReported = true;
      console.printAsync(
          "!! not connected: " + authProblem(status) + "; edits stay on this device");
    }
    if (online) {
      authReported = false;
    }
    if (before != online) {
      if (online) {
        console.printAsync("-- online: syncing with " + serverDescription);
      } else if (status.connection() == ConnectionState.OFFLINE) {
        console.printAsync(
            "-- offline: lost " + serverDescription + "; edits stay here and sync when it is back");
      }
    }
    wasOnline = online;
  }

  // ---- formatting --------------------------------------------------------------------------

  /**
   * The sync indicator: {@code [online]}, or what is wrong, such as {@code [offline, 2 pending]}.
   */
  static String indicator(SyncStatus status) {
    List<String> parts = new ArrayList<>();
    switch (status.connection()) {
      case ONLINE -> {}
      case OFFLINE, PAUSED -> parts.add("offline");
      case AUTH_FAILED -> parts.add("offline: no valid token");
      case LOCAL_ONLY -> parts.add("local only");
      case CLOSED -> parts.add("closed");
    }
    if (status.pendingChanges() > 0) {
      parts.add(status.pendingChanges() + " pending");
    }
    long behind = status.spaces().values().stream().mapToLong(SpaceStatus::behindChanges).sum();
    if (behind > 0) {
      parts.add(behind + " behind");
    }
    if (status.rejectedChanges() > 0) {
      parts.add(status.rejectedChanges() + " rejected");
    }
    if (parts.isEmpty()) {
      parts.add("online");
    }
    return "[" + String.join(", ", parts) + "]";
  }

  static String describeCart(SortedMap<String, Long> items) {
    if (items.isEmpty()) {
      return "cart is empty";
    }
    long units = items.values().stream().mapToLong(Long::longValue).sum();
    int width = items.keySet().stream().mapToInt(String::length).max().orElse(0);
    StringBuilder text =
        new StringBuilder(
            "cart ("
                + items.size()
                + (items.size() == 1 ? " item, " : " items, ")
                + units
                + (units == 1 ? " unit):" : " units):"));
    items.forEach(
        (sku, qty) -> text.append("\n  ").append(pad(sku, width)).append("  ").append(qty));
    return text.toString();
  }

  static String describeProfile(SortedMap<String, JsonNode> fields) {
    if (fields.isEmpty()) {
      return "profile is empty";
    }
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    StringBuilder text = new StringBuilder("profile:");
    fields.forEach(
        (field, value) ->
            text.append("\n  ").append(pad(field, width)).append("  ").append(text(value)));
    return text.toString();
  }

  /** One line per conflicting field: the winner, who wrote it, and what it won over. */
  static String describeConflicts(List<FieldConflict> conflicts, String ownReplicaId) {
    if (conflicts.isEmpty()) {
      return "no conflicts";
    }
    return conflicts.stream()
        .sorted((a, b) -> a.field().compareTo(b.field()))
        .map(
            c ->
                c.field()
                    + ": "
                    + describeValue(c.winner(), ownReplicaId)
                    + " won over "
                    + c.losers().stream()
                        .map(v -> describeValue(v, ownReplicaId))
                        .collect(Collectors.joining(", "))
                    + " (last writer wins; set the field again to settle it)")
        .collect(Collectors.joining("\n"));
  }

  private static String describeValue(FieldValue value, String ownReplicaId) {
    String origin =
        value.replicaId().equals(ownReplicaId) ? "this device" : "replica " + value.replicaId();
    return value.value().toString() + " from " + origin;
  }

  String describeStatus(SyncStatus status) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "connection: "
            + switch (status.connection()) {
              case ONLINE -> "online, syncing with " + serverDescription;
              case OFFLINE ->
                  "offline: cannot reach " + serverDescription + " (retrying in the background)";
              case PAUSED -> "offline: sync turned off (type online)";
              case AUTH_FAILED -> "offline: " + authProblem(status);
              case LOCAL_ONLY -> "local only (no server)";
              case CLOSED -> "closed";
            });
    lines.add(
        "pending:    "
            + status.pendingChanges()
            + " local changes not yet confirmed by the server");
    if (status.rejectedChanges() > 0) {
      lines.add("rejected:   " + status.rejectedChanges() + " changes the server refused");
    }
    lines.add("last ack:   " + status.lastAck().map(Object::toString).orElse("none since start"));
    status.spaces().values().stream()
        .sorted((a, b) -> a.space().compareTo(b.space()))
        .forEach(
            s ->
                lines.add(
                    "space "
                        + s.space()
                        + ": "
                        + (s.forbidden()
                            ? "refused by the server"
                            : s.caughtUp()
                                ? "at change "
                                    + s.cursor()
                                    + ", caught up as far as this device knows"
                                : s.behindChanges()
                                    + " changes behind for "
                                    + seconds(s.behindFor())
                                    + (s.snapshotInProgress() ? " (receiving a snapshot)" : ""))));
    return String.join("\n", lines);
  }

  private String authProblem(SyncStatus status) {
    String problem = tokenProblem.get();
    return problem != null
        ? "no token: " + problem
        : "the server refused the token ("
            + Objects.requireNonNullElse(status.lastError(), "unknown reason")
            + ")";
  }

  private static String text(JsonNode value) {
    return value.isTextual() ? value.asText() : value.toString();
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }

  private static String seconds(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0
        ? millis / 1000 + " s"
        : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  /** Parses a quantity, or prints why not and returns null. */
  private Long parseQuantity(String word) {
    try {
      return Long.parseLong(word);
    } catch (NumberFormatException e) {
      console.println("quantity must be a whole number: " + word);
      return null;
    }
  }
}
