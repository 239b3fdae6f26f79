package dev.converge.sample;

import dev.converge.sdk.Cart;
import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.FieldConflict;
import dev.converge.sdk.FieldValue;
import dev.converge.sdk.Profile;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncException;
import dev.converge.sdk.SyncStatus;
import dev.converge.sdk.TokenSupplier;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The two-device demo: one fresh user with a phone and a laptop (temporary SQLite files), the phone
 * offline while both edit the cart and the profile, then reconnection, convergence, and the merged
 * result with one line per conflict saying how it was resolved.
 *
 * <p>The output is the same on every run apart from the user and replica ids in its header. Runs
 * in-process against any server: give it the sync URI, a token supplier per subject, and where to
 * print. Immutable; {@link #run()} may be called again (it uses a new user each time).
 */
public final class Demo {

  /** The phone's device name. */
  public static final String PHONE = "phone";

  /** The laptop's device name. */
  public static final String LAPTOP = "laptop";

  private static final Duration POLL = Duration.ofMillis(25);

  private final URI serverUri;
  private final Function<String, TokenSupplier> tokens;
  private final PrintStream out;
  private final Duration connectTimeout;
  private final Duration convergeTimeout;

  /**
   * Creates a demo against {@code serverUri} (the sync WebSocket, such as {@code
   * ws://localhost:8080/v1/sync}), with tokens from {@code tokens} for a given subject, printing to
   * {@code out}. It waits up to 15 s for the server and 30 s for convergence.
   *
   * @throws NullPointerException if an argument is null
   */
  public Demo(URI serverUri, Function<String, TokenSupplier> tokens, PrintStream out) {
    this(serverUri, tokens, out, Duration.ofSeconds(15), Duration.ofSeconds(30));
  }

  private Demo(
      URI serverUri,
      Function<String, TokenSupplier> tokens,
      PrintStream out,
      Duration connectTimeout,
      Duration convergeTimeout) {
    this.serverUri = Objects.requireNonNull(serverUri, "serverUri");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.out = Objects.requireNonNull(out, "out");
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    this.convergeTimeout = Objects.requireNonNull(convergeTimeout, "convergeTimeout");
  }

  /**
   * Returns a copy that waits {@code connect} for the server and {@code converge} for convergence.
   */
  public Demo withTimeouts(Duration connect, Duration converge) {
    return new Demo(serverUri, tokens, out, connect, converge);
  }

  /** The merged state both devices agreed on, and one explanation per conflict. */
  public record Result(
      String user,
      SortedMap<String, Long> cart,
      SortedMap<String, String> profile,
      List<String> conflicts) {
    /** Creates a result; the collections are copied. */
    public Result {
      cart = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(cart));
      profile = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(profile));
      conflicts = List.copyOf(conflicts);
    }
  }

  /** A demo that could not finish; the message is one line for the user. */
  public static final class DemoException extends Exception {
    private static final long serialVersionUID = 1L;

    DemoException(String message) {
      super(message);
    }

    DemoException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Runs the demo for a new user named {@code demo-<8 hex digits>}; see {@link #run(String)}. */
  public Result run() throws DemoException {
    return run("demo-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /**
   * Runs the demo for {@code user}, whose cart and profile must be empty on the server.
   *
   * @return the merged state, as printed
   * @throws DemoException if the server cannot be reached, refuses the token, or the devices do not
   *     converge in time
   */
  public Result run(String user) throws DemoException {
    Path dir;
    try {
      dir = Files.createTempDirectory("converge-demo-");
    } catch (IOException e) {
      throw new DemoException("cannot create a temporary directory: " + e.getMessage(), e);
    }
    try {
      return runIn(dir, user);
    } catch (SyncException e) {
      throw new DemoException("the SDK failed: " + e.code() + ": " + e.getMessage(), e);
    } finally {
      deleteRecursively(dir);
    }
  }

  private Result runIn(Path dir, String user) throws DemoException {
    String space = "user:" + user;
    try (SyncClient phone = open(dir, PHONE, user);
        SyncClient laptop = open(dir, LAPTOP, user)) {
      // nothing printed before the server is known to be there: a missing server is one line
      awaitOnline(phone, PHONE);
      awaitOnline(laptop, LAPTOP);
      Map<String, String> devices = Map.of(phone.replicaId(), PHONE, laptop.replicaId(), LAPTOP);
      out.println("Converge demo: one user, two devices, one of them offline for a while");
      out.println("  server  " + serverUri);
      out.println("  user    " + user);
      out.println("  phone   replica " + phone.replicaId());
      out.println("  laptop  replica " + laptop.replicaId());
      Cart phoneCart = phone.cart(space, CartShell.CART_ID);
      Cart laptopCart = laptop.cart(space, CartShell.CART_ID);
      Profile phoneProfile = phone.profile(space, CartShell.PROFILE_ID);
      Profile laptopProfile = laptop.profile(space, CartShell.PROFILE_ID);

      out.println();
      out.println("1. Both online: the phone adds 1 tea; the laptop receives it.");
      phoneCart.add("tea", 1);
      confirm(phone, PHONE);
      await(() -> laptopCart.items().equals(Map.of("tea", 1L)), "the laptop to receive the tea");
      out.println("   laptop cart: " + items(laptopCart.items()));

      out.println("2. The phone goes offline.");
      phone.pause();

      out.println("3. Both edit at the same time:");
      phoneCart.add("coffee", 2);
      phoneCart.add("tea", 1);
      phoneProfile.set("name", "Ada");
      phoneProfile.set("city", "Lisbon");
      out.println("   phone  (offline): add 2 coffee, add 1 tea, name = Ada, city = Lisbon");
      // the laptop writes strictly later, so last-writer-wins has a clear, repeatable winner
      sleep(Duration.ofMillis(20));
      laptopCart.add("coffee", 1);
      laptopCart.remove("tea");
      laptopProfile.set("name", "Grace");
      out.println("   laptop (online):  add 1 coffee, remove tea, name = Grace");
      out.println(
          "   phone  sees: " + items(phoneCart.items()) + "; " + fields(phoneProfile.fields()));
      out.println(
          "   laptop sees: " + items(laptopCart.items()) + "; " + fields(laptopProfile.fields()));

      out.println("4. The phone comes back online; both sync until they agree.");
      phone.resume();
      confirm(phone, PHONE);
      confirm(laptop, LAPTOP);
      await(
          () -> view(phoneCart, phoneProfile).equals(view(laptopCart, laptopProfile)),
          "both devices to agree");

      SortedMap<String, Long> cart = phoneCart.items();
      SortedMap<String, String> profile = textFields(phoneProfile.fields());
      out.println();
      out.println("Merged result, the same on both devices:");
      out.println("  cart:    " + items(cart));
      out.println("  profile: " + fields(phoneProfile.fields()));
      List<String> conflicts = new ArrayList<>();
      conflicts.add(
          "coffee: added on both devices at once (phone +2, laptop +1) -> concurrent adds add up: "
              + cart.getOrDefault("coffee", 0L));
      conflicts.add(
          "tea: the laptop removed it while the offline phone added 1 more -> an add wins over a"
              + " concurrent remove, the unit the laptop never saw stays: "
              + cart.getOrDefault("tea", 0L));
      phoneProfile.conflicts().stream()
          .sorted(Comparator.comparing(FieldConflict::field))
          .forEach(c -> conflicts.add(explain(c, devices)));
      out.println("Conflicts and how they were resolved:");
      conflicts.forEach(line -> out.println("  - " + line));
      out.flush();
      return new Result(user, cart, profile, conflicts);
    }
  }

  private SyncClient open(Path dir, String device, String user) {
    return SyncClient.builder()
        .databasePath(dir.resolve(device + ".db"))
        .serverUri(serverUri)
        .tokenSupplier(tokens.apply(user))
        .subscribe("user:" + user)
        .replicaName(device)
        .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
        .build()
        .connect();
  }

  private void awaitOnline(SyncClient client, String device) throws DemoException {
    long deadline = System.nanoTime() + connectTimeout.toNanos();
    SyncStatus status = client.status();
    while (!status.online() && System.nanoTime() < deadline) {
      sleep(POLL);
      status = client.status();
    }
    if (status.online()) {
      return;
    }
    if (status.connection() == ConnectionState.AUTH_FAILED) {
      throw new DemoException(
          "the "
              + device
              + " got no valid token for "
              + serverUri
              + " ("
              + status.lastError()
              + "); is the server using the development key the demo signs with?");
    }
    throw new DemoException(
        "cannot reach the Converge server at "
            + serverUri
            + " within "
            + connectTimeout.toSeconds()
            + " s; start it first: bash scripts/run-server.sh");
  }

  private void confirm(SyncClient client, String device) throws DemoException {
    try {
      client
          .syncNow(convergeTimeout)
          .get(convergeTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      String why =
          e.getCause() instanceof SyncException se
              ? se.code() + ": " + se.getMessage()
              : String.valueOf(e.getCause());
      throw new DemoException("the " + device + " could not sync: " + why, e.getCause());
    } catch (TimeoutException e) {
      throw new DemoException(
          "the " + device + " could not sync within " + convergeTimeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoException("interrupted");
    }
  }

  private interface Condition {
    boolean holds();
  }

  private void await(Condition condition, String what) throws DemoException {
    long deadline = System.nanoTime() + convergeTimeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new DemoException(
            "gave up waiting " + convergeTimeout.toSeconds() + " s for " + what);
      }
      sleep(POLL);
    }
  }

  /** What must be equal on both devices: cart, profile, and the conflicts with their values. */
  private static List<Object> view(Cart cart, Profile profile) {
    List<String> conflicts =
        profile.conflicts().stream()
            .map(
                c ->
                    c.field()
                        + "="
                        + c.winner().value()
                        + " over "
                        + c.losers().stream().map(v -> v.value().toString()).sorted().toList())
            .sorted()
            .toList();
    return List.of(cart.items(), profile.fields(), conflicts);
  }

  /** One line: who wrote what, and which value won. */
  static String explain(FieldConflict conflict, Map<String, String> devices) {
    String written =
        Stream.concat(Stream.of(conflict.winner()), conflict.losers().stream())
            .sorted(Comparator.comparing((FieldValue v) -> deviceOf(v, devices)))
            .map(v -> "the " + deviceOf(v, devices) + " wrote " + CartView.quoted(v.value()))
            .collect(Collectors.joining(", "));
    String losers =
        conflict.losers().stream()
            .map(v -> CartView.quoted(v.value()))
            .collect(Collectors.joining(", "));
    return "profile."
        + conflict.field()
        + ": "
        + written
        + " concurrently -> last writer wins: "
        + CartView.quoted(conflict.winner().value())
        + " (the "
        + deviceOf(conflict.winner(), devices)
        + " wrote later); "
        + losers
        + " stays listed as a conflict until the field is set again";
  }

  private static String deviceOf(FieldValue value, Map<String, String> devices) {
    return devices.getOrDefault(value.replicaId(), "replica " + value.replicaId());
  }

  private static String items(SortedMap<String, Long> items) {
    return items.isEmpty()
        ? "empty"
        : items.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", "));
  }

  private static String fields(SortedMap<String, Object> fields) {
    return fields.isEmpty()
        ? "empty profile"
        : fields.entrySet().stream()
            .map(e -> e.getKey() + " = " + text(e.getValue()))
            .collect(Collectors.joining(", "));
  }

  private static SortedMap<String, String> textFields(SortedMap<String, Object> fields) {
    TreeMap<String, String> text = new TreeMap<>();
    fields.forEach((k, v) -> text.put(k, text(v)));
    return text;
  }

  private static String text(Object value) {
    return CartView.text(value);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
