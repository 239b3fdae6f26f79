package dev.converge.e2e;

import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.RegisterValue;
import dev.converge.core.crdt.SetValue;
import dev.converge.core.crdt.Versioned;
import dev.converge.core.policy.Cart;
import dev.converge.sdk.DocumentKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The simulation's documents and how a read of one turns into a {@link StormHistory.Read}: the same
 * documents and families as the storm's ({@link StormOps}), read from a {@link Document} (a
 * device's replica or the server's stored state) through the core's own views.
 */
final class SimReads {

  static final String CARTS = "carts";
  static final String PROFILES = "profiles";
  static final List<String> DOCS =
      List.of(StormOps.MAIN_CART, StormOps.LOOSE_CART, StormOps.PROFILE, StormOps.NOTE_ID);

  private SimReads() {}

  static DocumentKey key(String space, String docId) {
    return switch (docId) {
      case StormOps.MAIN_CART, StormOps.LOOSE_CART -> new DocumentKey(space, CARTS, docId);
      case StormOps.PROFILE -> new DocumentKey(space, PROFILES, docId);
      case StormOps.NOTE_ID -> new DocumentKey(space, StormOps.NOTES, docId);
      default -> throw new IllegalArgumentException(docId);
    };
  }

  static String name(String space, String docId) {
    return space + "/" + docId;
  }

  /** Reads {@code doc} (a document {@code docId}) as the history records it. */
  static StormHistory.Read read(
      String client, long start, long end, String space, String docId, Document doc) {
    Set<String> atoms = new TreeSet<>();
    Map<String, Long> counters = new TreeMap<>();
    Map<String, Set<String>> registers = new TreeMap<>();
    switch (docId) {
      case StormOps.MAIN_CART ->
          Cart.of(doc).items().forEach((sku, q) -> atoms.addAll(StormRun.atoms(sku, q)));
      case StormOps.PROFILE -> {
        for (String field : StormOps.PROFILE_FIELDS) {
          registers.put(field, values(doc, field));
        }
      }
      case StormOps.NOTE_ID -> {
        registers.put("title", values(doc, "title"));
        counters.put(
            "views",
            doc.get(List.of("views"), CounterValue.class).map(CounterValue::value).orElse(0L));
        doc.get(List.of("tags"), SetValue.class)
            .ifPresent(set -> set.elements().forEach(e -> atoms.add("tags#" + e)));
      }
      default -> {}
    }
    return new StormHistory.Read(
        client, start, end, name(space, docId), atoms, counters, registers);
  }

  /** Every concurrent value of a register (the multi-value view). */
  static Set<String> values(Document doc, String field) {
    Set<String> out = new TreeSet<>();
    doc.get(List.of(field), RegisterValue.class)
        .ifPresent(
            r -> r.values().stream().map(Versioned::value).forEach(v -> out.add(v.asText())));
    return out;
  }
}
