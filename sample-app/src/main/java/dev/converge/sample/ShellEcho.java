package dev.converge.sample;

import dev.converge.sdk.Cart;
import dev.converge.sdk.ChangeEvent;
import dev.converge.sdk.ConnectionState;
import dev.converge.sdk.ListenerToken;
import dev.converge.sdk.Profile;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncStatus;
import java.util.List;

/**
 * What the shell prints without being asked: changes that arrive from other devices and connection
 * changes. Runs on the SDK's listener thread and prints with {@link ShellConsole#printAsync}, so
 * the line being typed is kept.
 */
final class ShellEcho {

  private final SyncClient client;
  private final Cart cart;
  private final Profile profile;
  private final ShellConsole console;
  private final CartView view;
  private volatile boolean wasOnline;
  private volatile boolean authReported;

  ShellEcho(SyncClient client, Cart cart, Profile profile, ShellConsole console, CartView view) {
    this.client = client;
    this.cart = cart;
    this.profile = profile;
    this.console = console;
    this.view = view;
  }

  /** Starts listening; the tokens stop it. */
  List<ListenerToken> listen() {
    wasOnline = client.status().online();
    return List.of(
        cart.addChangeListener(this::onCartChange),
        profile.addChangeListener(this::onProfileChange),
        client.addStatusListener(this::onStatus));
  }

  private void onCartChange(ChangeEvent event) {
    if (!event.isLocal()) {
      console.printAsync("<< from another device: cart is now " + CartView.cartLine(cart.items()));
    }
  }

  private void onProfileChange(ChangeEvent event) {
    if (!event.isLocal()) {
      console.printAsync(
          "<< from another device: profile is now " + CartView.profileLine(profile.fields()));
    }
  }

  /** Announces connection changes, but not failed start-up attempts nor the user's own offline. */
  private void onStatus(SyncStatus status) {
    boolean online = status.online();
    boolean before = wasOnline;
    if (status.connection() == ConnectionState.AUTH_FAILED && !authReported) {
      authReported = true;
      console.printAsync(
          "!! not connected: " + view.authProblem(status) + "; edits stay on this device");
    }
    if (online) {
      authReported = false;
    }
    if (before != online) {
      if (online) {
        console.printAsync("-- online: syncing with " + view.server());
      } else if (status.connection() == ConnectionState.OFFLINE) {
        console.printAsync(
            "-- offline: lost " + view.server() + "; edits stay here and sync when it is back");
      }
    }
    wasOnline = online;
    // the prompt shows the connection and the pending count: keep it current while a line is typed
    console.refreshPrompt();
  }
}
