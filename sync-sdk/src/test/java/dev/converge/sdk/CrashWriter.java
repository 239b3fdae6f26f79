package dev.converge.sdk;

import java.nio.file.Path;

/**
 * Child-process main for {@link CrashSafetyTest}: writes to a cart in a loop, one item per
 * transaction, printing {@code ok <i>} after each write returns, until it is killed.
 */
public final class CrashWriter {
  private CrashWriter() {}

  /** Args: the database path. */
  public static void main(String[] args) {
    SyncClient client = SyncClient.builder().databasePath(Path.of(args[0])).build();
    Cart cart = client.cart("user:alice", "main");
    int next = cart.items().size();
    System.out.println("ready " + next);
    System.out.flush();
    for (int i = next; ; i++) {
      cart.add("sku-" + i, 1);
      System.out.println("ok " + i);
      System.out.flush();
    }
  }
}
