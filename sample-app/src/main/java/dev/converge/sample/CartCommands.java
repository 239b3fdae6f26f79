package dev.converge.sample;

import dev.converge.sdk.Cart;
import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.Profile;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncException;
import dev.converge.sdk.SyncStatus;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The shell's command handlers: each checks its words, prints a usage line when they are wrong, and
 * otherwise calls the SDK and prints what it did. A handler that writes returns true, so that the
 * shell waits for the status the write changes.
 */
final class CartCommands {

  private final SyncClient client;
  private final Cart cart;
  private final Profile profile;
  private final ShellConsole console;
  private final CartView view;
  private final Duration syncTimeout;

  CartCommands(
      SyncClient client,
      Cart cart,
      Profile profile,
      ShellConsole console,
      CartView view,
      Duration syncTimeout) {
    this.client = client;
    this.cart = cart;
    this.profile = profile;
    this.console = console;
    this.view = view;
    this.syncTimeout = syncTimeout;
  }

  /** {@code add <sku> [qty]}; returns whether the cart was written. */
  boolean add(String[] words) {
    if (words.length < 2 || words.length > 3) {
      console.println("usage: add <sku> [qty]");
      return false;
    }
    long quantity = 1;
    if (words.length == 3) {
      Long parsed = parseQuantity(words[2]);
      if (parsed == null) {
        return false;
      }
      if (parsed < 1) {
        console.println("quantity must be at least 1: " + words[2]);
        return false;
      }
      quantity = parsed;
    }
    String beyond = beyondLimits(cart.quantity(words[1]), quantity);
    if (beyond != null) {
      console.println(beyond);
      return false;
    }
    cart.add(words[1], quantity);
    console.println(
        "added " + quantity + " " + words[1] + ", now " + cart.quantity(words[1]) + " in the cart");
    return true;
  }

  /** {@code qty <sku> <n>}; returns whether the cart was written. */
  boolean quantity(String[] words) {
    if (words.length != 3) {
      console.println("usage: qty <sku> <n>");
      return false;
    }
    Long parsed = parseQuantity(words[2]);
    if (parsed == null) {
      return false;
    }
    if (parsed < 0) {
      console.println("quantity must be 0 or more: " + words[2]);
      return false;
    }
    long current = Math.max(0, cart.quantity(words[1]));
    String beyond = parsed == 0 ? null : beyondLimits(current, parsed - current);
    if (beyond != null) {
      console.println(beyond);
      return false;
    }
    cart.setQuantity(words[1], parsed);
    console.println(parsed == 0 ? "removed " + words[1] : words[1] + " is now " + parsed);
    return true;
  }

  /** {@code remove <sku>}; returns whether the cart was written. */
  boolean remove(String[] words) {
    if (words.length != 2) {
      console.println("usage: remove <sku>");
      return false;
    }
    if (!cart.items().containsKey(words[1])) {
      console.println("not in the cart: " + words[1] + " (type cart to see it)");
      return false;
    }
    cart.remove(words[1]);
    console.println("removed " + words[1]);
    return true;
  }

  /** {@code profile} or {@code profile set <field> <value>}; returns whether it was written. */
  boolean profile(String line, String[] words) {
    if (words.length == 1) {
      console.println(CartView.describeProfile(profile.fields()));
      return false;
    }
    if (!words[1].equalsIgnoreCase("set")) {
      console.println("usage: profile | profile set <field> <value>");
      return false;
    }
    // the value is the rest of the line, spaces included
    String[] parts = line.split("\\s+", 4);
    if (parts.length < 4) {
      console.println("usage: profile set <field> <value>");
      return false;
    }
    profile.set(parts[2], parts[3]);
    console.println(parts[2] + " = " + parts[3]);
    return true;
  }

  /** {@code sync}: waits, at most the sync timeout, until the server has confirmed everything. */
  void sync() {
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
            + CartView.seconds(syncTimeout)
            + ": "
            + (status.online() ? "the server is slow" : "cannot reach " + view.server())
            + "; "
            + status.pendingChanges()
            + " pending changes stay queued");
  }

  /**
   * The largest quantity, as documented: counters are exact up to 2^53-1, the largest integer every
   * JSON reader (JavaScript's included) holds exactly, and the wire refuses more.
   */
  static final long MAX_QUANTITY = (1L << 53) - 1;

  /** The most one write moves a counter, either way (docs/crdt.md, "Bounded numbers"). */
  static final long MAX_CHANGE = 1L << 31;

  /**
   * Says why changing a quantity of {@code current} by {@code change} is refused, or returns null:
   * one change moves a counter by at most {@link #MAX_CHANGE} (2^31) either way, and a quantity
   * stays within {@link #MAX_QUANTITY}.
   */
  static String beyondLimits(long current, long change) {
    if (Math.abs(change) > MAX_CHANGE) {
      return "one change moves a quantity by at most " + MAX_CHANGE + " (2^31), not " + change;
    }
    if (current + change > MAX_QUANTITY) {
      return "a quantity stays within " + MAX_QUANTITY + " (2^53-1); this would make it larger";
    }
    return null;
  }

  /** Parses a quantity within ±{@link #MAX_QUANTITY}, or prints why not and returns null. */
  private Long parseQuantity(String word) {
    if (!word.matches("[+-]?[0-9]{1,1000}")) {
      console.println("quantity must be a whole number: " + word);
      return null;
    }
    BigInteger value = new BigInteger(word);
    if (value.abs().compareTo(BigInteger.valueOf(MAX_QUANTITY)) > 0) {
      console.println("quantity beyond the limit of ±(2^53-1) = ±" + MAX_QUANTITY + ": " + word);
      return null;
    }
    return value.longValue();
  }
}
