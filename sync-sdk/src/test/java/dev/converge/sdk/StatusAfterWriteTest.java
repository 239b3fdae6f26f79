package dev.converge.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status counts a local write as pending as soon as the write returns, although the engine
 * thread counts it from the store a moment later: an app (the sample's {@code status} command)
 * reading the status right after a write must see it.
 */
class StatusAfterWriteTest {

  @TempDir Path dir;

  @Test
  void everyWrite_isPendingInTheStatusAsSoonAsItReturns() {
    try (SyncClient client =
        SyncClient.builder()
            .databasePath(dir.resolve("phone.db"))
            .serverUri(URI.create("ws://127.0.0.1:1/v1/sync")) // never reached: not connected
            .tokenSupplier(() -> "unused")
            .subscribe("user:alice")
            .coalesceOutbox(false)
            .build()) {
      Cart cart = client.cart("user:alice", "main");
      for (int i = 1; i <= 50; i++) {
        cart.add("sku" + i, 1);
        assertThat(client.status().pendingChanges()).as("after write %d", i).isEqualTo(i);
      }
    }
  }
}
