package dev.converge.e2e;

// README:begin
import dev.converge.devtokens.LocalDevTokens;
import dev.converge.sdk.Cart;
import dev.converge.sdk.SyncClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** Adds two coffees to alice's cart on this device and waits until the server has them. */
public final class CartQuickStart {
  public static void main(String[] args) {
    // The server of scripts/run-server.sh, and tokens signed with the key it created.
    URI server = URI.create(args.length > 0 ? args[0] : "ws://localhost:8080/v1/sync");
    LocalDevTokens tokens = LocalDevTokens.fromEnvironment();

    try (SyncClient client =
        SyncClient.builder()
            .databasePath(Path.of("alice-phone.db")) // the local replica, created if absent
            .serverUri(server)
            .tokenSupplier(() -> tokens.mint("alice"))
            .subscribe("user:alice")
            .build() // opens the local store: reads and writes work offline from here
            .connect()) { // starts syncing in the background
      Cart cart = client.cart("user:alice", "main");
      cart.add("coffee", 2); // committed locally at once, synced in the background
      client.syncNow(Duration.ofSeconds(10)).join(); // acked by the server and caught up
      System.out.println("coffee in alice's cart: " + cart.quantity("coffee"));
    }
  }
}
// README:end
