package dev.converge.core.policy;

import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.CrdtValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.MapValue;
import dev.converge.core.crdt.ValueType;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The shopping-cart policy over a {@link Document}: {@code items} is an observed-remove map from
 * sku to an entry whose {@code qty} is a causal counter.
 *
 * <p>Merge rules: concurrent adds of one sku add up; an add concurrent with a remove survives with
 * the increments the remove had not seen; an item is in the cart while its quantity is above zero.
 * An add on a replica that sees a quantity of zero or less first removes what it sees, so "add 1"
 * after an item vanished gives 1. Each mutator applies its change to the document and returns the
 * delta to ship. Not thread-safe, like the document it wraps.
 */
public final class Cart {

  /** Field holding the items map. */
  public static final String ITEMS = "items";

  /** Field of an item holding its quantity counter. */
  public static final String QTY = "qty";

  private final Document document;

  private Cart(Document document) {
    this.document = document;
  }

  /** Returns the cart view of {@code document}. */
  public static Cart of(Document document) {
    return new Cart(Objects.requireNonNull(document, "document"));
  }

  /**
   * Adds {@code quantity} units of {@code sku}.
   *
   * @return the delta
   * @throws IllegalArgumentException if quantity <= 0 or the sku is blank
   */
  public Document add(String replica, String sku, long quantity) {
    requireSku(sku);
    if (quantity <= 0) {
      throw new IllegalArgumentException("quantity <= 0: " + quantity);
    }
    if (quantity(sku) <= 0 && document.get(itemPath(sku)).isPresent()) {
      Document removal = document.remove(itemPath(sku));
      Document increment = document.addToCounter(replica, qtyPath(sku), quantity);
      return Document.joined(removal, increment);
    }
    return document.addToCounter(replica, qtyPath(sku), quantity);
  }

  /**
   * Sets the quantity of {@code sku} as this replica sees it; 0 removes the item.
   *
   * @return the delta (empty if the quantity already was {@code quantity})
   * @throws IllegalArgumentException if quantity < 0 or the sku is blank
   */
  public Document setQuantity(String replica, String sku, long quantity) {
    requireSku(sku);
    if (quantity < 0) {
      throw new IllegalArgumentException("quantity < 0: " + quantity);
    }
    if (quantity == 0) {
      return remove(sku);
    }
    long current = quantity(sku);
    if (current <= 0) {
      return add(replica, sku, quantity);
    }
    if (current == quantity) {
      return new Document();
    }
    return document.addToCounter(replica, qtyPath(sku), quantity - current);
  }

  /**
   * Removes {@code sku}: resets what this replica has seen of it.
   *
   * @return the delta
   */
  public Document remove(String sku) {
    requireSku(sku);
    return document.remove(itemPath(sku));
  }

  /**
   * Returns the quantity of {@code sku} as merged here (may be <= 0 after concurrent decrements).
   */
  public long quantity(String sku) {
    return document.get(qtyPath(sku), CounterValue.class).map(CounterValue::value).orElse(0L);
  }

  /** Returns the items in the cart (quantity above zero), by sku. */
  public SortedMap<String, Long> items() {
    TreeMap<String, Long> items = new TreeMap<>();
    document
        .get(List.of(ITEMS), MapValue.class)
        .ifPresent(
            map ->
                map.typedEntries()
                    .forEach(
                        (key, entry) -> {
                          // Only map-typed items count: a value of another type under a sku is not
                          // a cart line.
                          CrdtValue qty =
                              entry instanceof MapValue item
                                  ? item.get(QTY, ValueType.COUNTER)
                                  : null;
                          long value = qty instanceof CounterValue counter ? counter.value() : 0;
                          if (value > 0) {
                            items.put(key.name(), value);
                          }
                        }));
    return Collections.unmodifiableSortedMap(items);
  }

  /** Returns the sum of the quantities of the items in the cart. */
  public long totalCount() {
    return items().values().stream().mapToLong(Long::longValue).sum();
  }

  /** Returns the path of an item's quantity counter. */
  public static List<String> qtyPath(String sku) {
    return List.of(ITEMS, sku, QTY);
  }

  private static List<String> itemPath(String sku) {
    return List.of(ITEMS, sku);
  }

  private static void requireSku(String sku) {
    if (sku == null || sku.codePoints().allMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("sku is blank");
    }
  }
}
