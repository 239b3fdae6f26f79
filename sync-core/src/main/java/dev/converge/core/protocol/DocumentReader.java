package dev.converge.core.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.CounterValue;
import dev.converge.core.crdt.CrdtValue;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.MapValue;
import dev.converge.core.crdt.RegisterValue;
import dev.converge.core.crdt.SetValue;
import dev.converge.core.crdt.StateBuilder;
import dev.converge.core.crdt.ValueType;
import dev.converge.core.crdt.Versioned;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Decodes the wire form of a document and checks it is well formed: every dot appears once, every
 * dot of the store is covered by the context (a run's last dot, which is its key), run sums stay
 * within their bound, and the limits hold. One instance per document.
 */
final class DocumentReader extends TreeReader {

  /** Where each dot was seen, to reject duplicates and name both places. */
  private final Map<Dot, String> seenDots = new HashMap<>();

  DocumentReader(CodecLimits limits) {
    super(limits);
  }

  Document document(JsonNode node, String path) {
    JsonNode object = object(node, path);
    CausalContext context = context(required(object, "c", path), field(path, "c"));
    MapValue root = entries(required(object, "s", path), field(path, "s"), 1);
    for (Map.Entry<Dot, String> entry : seenDots.entrySet()) {
      if (!context.contains(entry.getKey())) {
        throw new DecodeException(
            entry.getValue(), "dot " + entry.getKey() + " is not covered by the causal context");
      }
    }
    return new Document(root, context);
  }

  private CausalContext context(JsonNode node, String path) {
    JsonNode object = object(node, path);
    CausalContext context = new CausalContext();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String replicaPath = field(path, entry.getKey());
      String replica =
          replicaId(
              com.fasterxml.jackson.databind.node.TextNode.valueOf(entry.getKey()), replicaPath);
      JsonNode counters = array(entry.getValue(), replicaPath);
      if (counters.isEmpty()) {
        throw new DecodeException(
            replicaPath, "expected [prefix, extra dots...], got an empty array");
      }
      long prefix = integer(counters.get(0), index(replicaPath, 0), 0);
      if (prefix > 0) {
        context.addPrefix(replica, prefix);
      }
      for (int i = 1; i < counters.size(); i++) {
        long counter = integer(counters.get(i), index(replicaPath, i), 1);
        context.add(replica, counter);
      }
    }
    return context;
  }

  private MapValue entries(JsonNode node, String path, int depth) {
    if (depth > limits.maxDepth()) {
      throw new DecodeException(
          DecodeException.Kind.LIMIT,
          path,
          "nesting deeper than the limit of " + limits.maxDepth());
    }
    JsonNode object = object(node, path);
    MapValue map = new MapValue();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String entryPath = field(path, entry.getKey());
      if (entry.getValue().isArray()) {
        // One name holding several types: an array of typed values, each type at most once.
        JsonNode typed = entry.getValue();
        if (typed.size() < 2) {
          throw new DecodeException(
              entryPath,
              "an array of typed values holds at least two types; write one type as an object");
        }
        Set<ValueType> types = EnumSet.noneOf(ValueType.class);
        for (int i = 0; i < typed.size(); i++) {
          CrdtValue value = value(typed.get(i), index(entryPath, i), depth);
          if (!types.add(value.type())) {
            throw new DecodeException(
                index(entryPath, i),
                "type '" + value.type().tag() + "' appears twice under one name");
          }
          putIfNotEmpty(map, entry.getKey(), value);
        }
      } else {
        putIfNotEmpty(map, entry.getKey(), value(entry.getValue(), entryPath, depth));
      }
    }
    return map;
  }

  private static void putIfNotEmpty(MapValue map, String name, CrdtValue value) {
    if (!value.isEmpty()) {
      StateBuilder.put(map, name, value);
    }
  }

  private CrdtValue value(JsonNode node, String path, int depth) {
    JsonNode object = object(node, path);
    String tag = requiredText(object, "t", path);
    ValueType type = ValueType.ofTag(tag);
    if (type == null) {
      throw new DecodeException(
          field(path, "t"), "unknown type tag '" + tag + "' (expected reg, ctr, set or map)");
    }
    String entriesPath = field(path, "e");
    JsonNode entries = required(object, "e", path);
    return switch (type) {
      case REGISTER -> register(entries, entriesPath);
      case COUNTER -> counter(entries, entriesPath);
      case SET -> set(entries, entriesPath);
      case MAP -> entries(entries, entriesPath, depth + 1);
    };
  }

  private RegisterValue register(JsonNode node, String path) {
    JsonNode array = array(node, path);
    RegisterValue register = new RegisterValue();
    for (int i = 0; i < array.size(); i++) {
      String entryPath = index(path, i);
      JsonNode entry = tuple(array.get(i), entryPath, 4, "[replica, counter, hlc, value]");
      Dot dot = claim(dot(entry.get(0), entry.get(1), entryPath), entryPath);
      StateBuilder.put(
          register, new Versioned(dot, hlc(entry.get(2), index(entryPath, 2)), entry.get(3)));
    }
    return register;
  }

  private CounterValue counter(JsonNode node, String path) {
    JsonNode array = array(node, path);
    CounterValue counter = new CounterValue();
    for (int i = 0; i < array.size(); i++) {
      String entryPath = index(path, i);
      JsonNode entry = array(array.get(i), entryPath);
      if (entry.size() == 4) {
        StateBuilder.put(counter, run(entry, entryPath));
        continue;
      }
      if (entry.size() != 3) {
        throw new DecodeException(
            entryPath,
            "expected "
                + CounterEncoding.SINGLE_SHAPE
                + ", got "
                + entry.size()
                + " elements (a run is "
                + CounterEncoding.RUN_SHAPE
                + ")");
      }
      Dot dot = claim(dot(entry.get(0), entry.get(1), entryPath), entryPath);
      long value = integer(entry.get(2), index(entryPath, 2), -Dot.MAX_COUNTER);
      StateBuilder.put(counter, dot, value);
    }
    return counter;
  }

  /**
   * A run {@code [replica, first, last, sum]}: at least two dots wide, its last dot claimed like
   * any store dot, and its sum within (last - first + 1) increments of at most 2^31 each, so a run
   * can never carry more than the increments it stands for.
   */
  private CounterEntry run(JsonNode entry, String path) {
    String replica = replicaId(entry.get(0), index(path, 0));
    long first = integer(entry.get(1), index(path, 1), 1);
    long last = integer(entry.get(2), index(path, 2), 1);
    long sum = integer(entry.get(3), index(path, 3), -Dot.MAX_COUNTER);
    if (first >= last) {
      throw new DecodeException(
          path,
          "a run spans at least two dots (first < last), got first "
              + first
              + " and last "
              + last
              + "; a single increment is "
              + CounterEncoding.SINGLE_SHAPE);
    }
    CounterEntry run;
    try {
      run = CounterEntry.run(replica, first, last, sum);
    } catch (IllegalArgumentException e) {
      throw new DecodeException(path, e.getMessage());
    }
    claim(run.dot(), path);
    return run;
  }

  private SetValue set(JsonNode node, String path) {
    JsonNode object = object(node, path);
    SetValue set = new SetValue();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> element = it.next();
      String elementPath = field(path, element.getKey());
      JsonNode dots = array(element.getValue(), elementPath);
      for (int i = 0; i < dots.size(); i++) {
        String dotPath = index(elementPath, i);
        JsonNode pair = tuple(dots.get(i), dotPath, 2, "[replica, counter]");
        StateBuilder.put(
            set, element.getKey(), claim(dot(pair.get(0), pair.get(1), dotPath), dotPath));
      }
    }
    return set;
  }

  private JsonNode tuple(JsonNode node, String path, int size, String shape) {
    JsonNode array = array(node, path);
    if (array.size() != size) {
      throw new DecodeException(path, "expected " + shape + ", got " + array.size() + " elements");
    }
    return array;
  }

  private Dot claim(Dot dot, String path) {
    String earlier = seenDots.putIfAbsent(dot, path);
    if (earlier != null) {
      throw new DecodeException(path, "dot " + dot + " appears twice (also at " + earlier + ")");
    }
    return dot;
  }
}
