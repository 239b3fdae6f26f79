package dev.converge.sdk;

import java.util.SortedMap;
import java.util.concurrent.Executor;

/**
 * A shopping cart that merges across devices: concurrent adds of one item add up, an add concurrent
 * with a remove survives, and an item is in the cart while its quantity is above zero (see the
 * design, section 2). Obtained from {@link SyncClient#cart}. Every change is committed locally at
 * once and synced in the background.
 *
 * <p>A lightweight handle: it holds no state of its own, reads go to the local database, so two
 * handles of one cart always agree. Thread-safe.
 */
public final class Cart {

  private final ClientCore client;
  private final DocumentKey key;

  Cart(ClientCore client, DocumentKey key) {
    this.client = client;
    this.key = key;
  }

  /** Returns the key of the cart's document. */
  public DocumentKey key() {
    return key;
  }

  /**
   * Adds {@code quantity} units of {@code sku}. If this replica sees the item at zero or below
   * (after concurrent decrements), it starts from zero: "add 1" then gives 1.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if {@code quantity <= 0} or the sku is
   *     blank; {@code STORAGE} if the local database fails; {@code CLOSED} after close
   */
  public void add(String sku, long quantity) {
    requireSku(sku);
    if (quantity <= 0) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "quantity <= 0");
    }
    client.write(
        key,
        (doc, replica, hlc) -> dev.converge.core.policy.Cart.of(doc).add(replica, sku, quantity));
  }

  /**
   * Sets the quantity of {@code sku} as this replica sees it, by adding the difference (so a
   * concurrent add elsewhere still adds up); 0 removes the item.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if {@code quantity < 0} or the sku is blank
   */
  public void setQuantity(String sku, long quantity) {
    requireSku(sku);
    if (quantity < 0) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "quantity < 0");
    }
    client.write(
        key,
        (doc, replica, hlc) ->
            dev.converge.core.policy.Cart.of(doc).setQuantity(replica, sku, quantity));
  }

  /**
   * Removes {@code sku}: what this replica has seen of it. Units added concurrently elsewhere
   * survive.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the sku is blank
   */
  public void remove(String sku) {
    requireSku(sku);
    client.write(key, (doc, replica, hlc) -> dev.converge.core.policy.Cart.of(doc).remove(sku));
  }

  /** Returns the items in the cart (quantity above zero) by sku; an unmodifiable copy. */
  public SortedMap<String, Long> items() {
    return client.read(key, doc -> dev.converge.core.policy.Cart.of(doc).items());
  }

  /** Returns the quantity of {@code sku} (0 if absent). */
  public long quantity(String sku) {
    requireSku(sku);
    long quantity = client.read(key, doc -> dev.converge.core.policy.Cart.of(doc).quantity(sku));
    return Math.max(0L, quantity);
  }

  /** Returns the sum of the quantities of the items in the cart. */
  public long totalCount() {
    return client.read(key, doc -> dev.converge.core.policy.Cart.of(doc).totalCount());
  }

  /** Listens to committed changes of this cart, on the client's listener thread. */
  public ListenerToken addChangeListener(ChangeListener listener) {
    return client.listeners.document(key, listener);
  }

  /** Listens to committed changes of this cart, called on {@code executor}. */
  public ListenerToken addChangeListener(Executor executor, ChangeListener listener) {
    return client.listeners.document(key, executor, listener);
  }

  private static void requireSku(String sku) {
    if (sku == null || Text.isBlank(sku)) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "sku is null or blank");
    }
  }

  @Override
  public String toString() {
    return "Cart[" + key + "]";
  }
}
