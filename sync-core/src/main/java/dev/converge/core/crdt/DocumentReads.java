package dev.converge.core.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The derived reads of a {@link Document}: plain JSON, greatest timestamp, overlaps, conflicts. */
final class DocumentReads {
  private DocumentReads() {}

  /** Returns {@code value} as plain JSON (see {@link Document#toJson()}). */
  static JsonNode plain(CrdtValue value) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    if (value instanceof RegisterValue register) {
      return register.value().orElse(nodes.nullNode());
    }
    if (value instanceof CounterValue counter) {
      return nodes.numberNode(counter.value());
    }
    if (value instanceof SetValue set) {
      ArrayNode array = nodes.arrayNode();
      set.elements().forEach(array::add);
      return array;
    }
    ObjectNode object = nodes.objectNode();
    ((MapValue) value).entries().forEach((key, child) -> object.set(key, plain(child)));
    return object;
  }

  static Hlc maxHlc(MapValue root) {
    Hlc[] max = {Hlc.ZERO};
    collectMaxHlc(root, max);
    return max[0];
  }

  private static void collectMaxHlc(CrdtValue value, Hlc[] max) {
    if (value instanceof RegisterValue register) {
      Hlc hlc = register.maxHlc();
      if (hlc.compareTo(max[0]) > 0) {
        max[0] = hlc;
      }
    } else if (value instanceof MapValue map) {
      map.typedEntries().values().forEach(child -> collectMaxHlc(child, max));
    }
  }

  static List<TypeOverlap> typeOverlaps(MapValue root) {
    List<TypeOverlap> overlaps = new ArrayList<>();
    collectOverlaps(root, new ArrayList<>(), overlaps);
    return overlaps;
  }

  private static void collectOverlaps(MapValue map, List<String> path, List<TypeOverlap> sink) {
    for (String name : map.entries().keySet()) {
      var types = map.typesOf(name);
      path.add(name);
      if (types.size() > 1) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        types.forEach((key, value) -> values.put(key.type().tag(), plain(value)));
        sink.add(new TypeOverlap(path, values));
      }
      if (types.get(new FieldKey(name, ValueType.MAP)) instanceof MapValue child) {
        collectOverlaps(child, path, sink);
      }
      path.remove(path.size() - 1);
    }
  }

  static List<Conflict> conflicts(MapValue root) {
    List<Conflict> conflicts = new ArrayList<>();
    collectConflicts(root, new ArrayList<>(), conflicts);
    return conflicts;
  }

  private static void collectConflicts(CrdtValue value, List<String> path, List<Conflict> sink) {
    if (value instanceof RegisterValue register && register.entries().size() > 1) {
      List<Versioned> values = register.values();
      sink.add(new Conflict(List.copyOf(path), values.get(0), values.subList(1, values.size())));
    } else if (value instanceof MapValue map) {
      map.typedEntries()
          .forEach(
              (key, child) -> {
                path.add(key.name());
                collectConflicts(child, path, sink);
                path.remove(path.size() - 1);
              });
    }
  }
}
