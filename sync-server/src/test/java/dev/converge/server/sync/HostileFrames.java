package dev.converge.server.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile client input, built from one seed: JSON garbage, a field of a well-formed message given a
 * value of the wrong type (huge and fractional numbers, deep nesting and oversized strings among
 * them), unknown types, binary frames, invalid UTF-8, frames above the frame limit, and pushes
 * forging contexts, dots, replica ids, seqs and counter bounds or aimed at a space not granted.
 * Every attack is refusable by construction: none is a legitimate message.
 */
final class HostileFrames {

  /** One frame: a WebSocket opcode (1 text, 2 binary) and its payload. */
  record Frame(int opcode, byte[] payload) {
    static Frame text(String text) {
      return new Frame(1, text.getBytes(StandardCharsets.UTF_8));
    }

    String describe() {
      String shown = new String(payload, 0, Math.min(payload.length, 160), StandardCharsets.UTF_8);
      return (opcode == 2 ? "binary " : "") + payload.length + " bytes: " + shown;
    }
  }

  /** An attack: its kind, its frames, and whether they go before {@code hello}. */
  record Attack(String kind, List<Frame> frames, boolean beforeHello) {
    @Override
    public String toString() {
      return kind + (beforeHello ? " (before hello) " : " ") + frames.get(0).describe();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PLACEHOLDER = "@@hostile-value@@";

  private final String attacker;
  private final String sharedSpace;
  private final String victimSpace;
  private final String victimReplica;
  private final long victimDots;
  private final int frameLimit;

  /**
   * @param attacker the attacking session's replica id (its pushes are seq 1 of it)
   * @param sharedSpace a space granted to the attacker and the victim, holding the victim's cart
   * @param victimSpace a space of the victim's not granted to the attacker
   * @param victimReplica the victim's replica id
   * @param victimDots how many dots the victim's replica has made in the cart
   * @param frameLimit the server's WebSocket frame limit in bytes
   */
  HostileFrames(
      String attacker,
      String sharedSpace,
      String victimSpace,
      String victimReplica,
      long victimDots,
      int frameLimit) {
    this.attacker = attacker;
    this.sharedSpace = sharedSpace;
    this.victimSpace = victimSpace;
    this.victimReplica = victimReplica;
    this.victimDots = victimDots;
    this.frameLimit = frameLimit;
  }

  /** Builds attack {@code kind} (any int; taken modulo the kinds) from {@code seed}. */
  Attack attack(int kind, long seed) {
    Random r = new Random(seed);
    return switch (Math.floorMod(kind, 12)) {
      case 0, 1 -> new Attack("garbage", List.of(Frame.text(garbage(r))), false);
      case 2, 3, 4 -> new Attack("wrong-type", List.of(Frame.text(wrongType(r))), false);
      case 5 -> new Attack("unknown-type", List.of(Frame.text(unknownType(r))), false);
      case 6, 7 -> new Attack("forged", List.of(Frame.text(forged(r))), false);
      case 8 -> new Attack("before-hello", List.of(Frame.text(template(r, 2))), true);
      case 9 -> new Attack("second-hello", List.of(Frame.text(template(r, 3))), false);
      case 10 -> new Attack("oversize", List.of(oversize(r)), false);
      default -> new Attack("bad-frame", List.of(badFrame(r)), r.nextBoolean());
    };
  }

  /** The REST body of a push whose one changeset is forged or has a field of the wrong type. */
  String restPush(long seed) {
    Random r = new Random(seed);
    String message = r.nextBoolean() ? forged(r) : mutate(r, push(1, sharedSpace, ownDelta()));
    // REST takes the push without its type; a mutated type stays, as one more wrong field.
    return message.startsWith("{\"type\":\"push\",")
        ? "{" + message.substring("{\"type\":\"push\",".length())
        : message;
  }

  private static String garbage(Random r) {
    String alphabet = "{}[]\":,.-+0123456789eEabcdeflnrstuy \\/\n\t\u00e9\u20ac";
    StringBuilder s = new StringBuilder();
    if (r.nextBoolean()) {
      s.append("{\"type\":\"push\",");
    }
    int n = r.nextInt(200);
    for (int i = 0; i < n; i++) {
      s.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  private String unknownType(Random r) {
    return "{\"type\":\"x-"
        + Long.toString(r.nextLong() & Long.MAX_VALUE, 36)
        + "\",\"space\":\""
        + sharedSpace
        + "\"}";
  }

  /** A well-formed message: 0 push, 1 sync, 2 push or sync, 3 hello. */
  private String template(Random r, int which) {
    int pick = which == 2 ? r.nextInt(2) : which;
    return switch (pick) {
      case 0 -> push(1, sharedSpace, ownDelta());
      case 1 ->
          "{\"type\":\"sync\",\"ref\":7,\"stable\":[{\"space\":\""
              + sharedSpace
              + "\",\"stable\":0}]}";
      default ->
          "{\"type\":\"hello\",\"protocol\":2,\"replicaId\":\""
              + attacker
              + "\",\"subscriptions\":[{\"space\":\""
              + sharedSpace
              + "\",\"since\":0}]}";
    };
  }

  private String wrongType(Random r) {
    String[] templates = {
      push(1, sharedSpace, ownDelta()), template(r, 1), "{\"type\":\"auth\",\"token\":\"x\"}",
    };
    return mutate(r, templates[r.nextInt(templates.length)]);
  }

  /** Replaces one node of {@code message} (not the root) by a value its field never takes. */
  private String mutate(Random r, String message) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(message);
      List<JsonNode[]> slots = new ArrayList<>();
      collect(root, slots);
      JsonNode[] slot = slots.get(r.nextInt(slots.size()));
      // A placeholder spliced out as text: the value may be nested deeper than a parser allows.
      JsonNode placeholder = JSON.getNodeFactory().textNode(PLACEHOLDER);
      if (slot[0] instanceof ObjectNode parent) {
        parent.set(slot[2].asText(), placeholder);
      } else {
        ((ArrayNode) slot[0]).set(slot[2].asInt(), placeholder);
      }
      return JSON.writeValueAsString(root)
          .replace("\"" + PLACEHOLDER + "\"", wrongValue(r, slot[1]));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Collects {parent, node, key-or-index} of every node under {@code container}. */
  private static void collect(JsonNode container, List<JsonNode[]> slots) {
    if (container instanceof ObjectNode object) {
      object
          .properties()
          .forEach(
              e -> {
                slots.add(
                    new JsonNode[] {
                      object, e.getValue(), JSON.getNodeFactory().textNode(e.getKey())
                    });
                collect(e.getValue(), slots);
              });
    } else if (container instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        slots.add(new JsonNode[] {array, array.get(i), JSON.getNodeFactory().numberNode(i)});
        collect(array.get(i), slots);
      }
    }
  }

  private static String wrongValue(Random r, JsonNode current) {
    List<String> pool = new ArrayList<>();
    if (current.isTextual()) {
      pool.addAll(List.of("42", "-1", "true", "[]", "{}", "1e400"));
      pool.add("\"" + "s".repeat(1_100_000 + r.nextInt(900_000)) + "\"");
    } else if (current.isNumber()) {
      pool.addAll(
          List.of(
              "\"1\"",
              "1.5",
              "1e400",
              "-1e400",
              "123456789012345678901234567890",
              "true",
              "[]",
              "{}",
              "\"\""));
    } else if (current instanceof ContainerNode<?>) {
      pool.addAll(List.of("\"x\"", "5", "true", "1e400"));
    } else {
      pool.addAll(List.of("\"x\"", "5", "[]"));
    }
    pool.add(deep(r));
    return pool.get(r.nextInt(pool.size()));
  }

  /** Arrays or objects nested 100 to 20,000 deep. */
  private static String deep(Random r) {
    int depth = 100 + r.nextInt(20_000);
    boolean arrays = r.nextBoolean();
    return (arrays ? "[" : "{\"a\":").repeat(depth) + "1" + (arrays ? "]" : "}").repeat(depth);
  }

  private String forged(Random r) {
    long future = victimDots + 1 + r.nextInt(1_000_000);
    return switch (r.nextInt(6)) {
      // claims dots of the victim nobody made yet: would delete the victim's writes to come
      case 0 ->
          push(1, sharedSpace, "{\"s\":{},\"c\":{\"" + victimReplica + "\":[" + future + "]}}");
      // an increment stamped with the victim's replica id
      case 1 -> push(1, sharedSpace, counterDelta(victimReplica, future, 1));
      // a changeset that names the victim's replica as its author
      case 2 -> push(victimReplica, 1 + r.nextInt(5), sharedSpace, ownDelta());
      // a space the attacker is not granted
      case 3 -> push(1, victimSpace, ownDelta());
      // an increment beyond the configured bound
      case 4 ->
          push(1, sharedSpace, counterDelta(attacker, 1, Long.MAX_VALUE / (1 + r.nextInt(1000))));
      // a seq that skips the attacker's first
      default -> push(2 + r.nextInt(1_000_000), sharedSpace, ownDelta());
    };
  }

  private Frame oversize(Random r) {
    if (r.nextInt(4) == 0) {
      // above the frame limit: the socket is closed with 1009 before anything is decoded
      return Frame.text("\"" + "o".repeat(frameLimit + r.nextInt(1000)) + "\"");
    }
    // above the codec limit, within the frame limit
    String big = "o".repeat(1_100_000 + r.nextInt(1_000_000));
    return Frame.text(push(1, sharedSpace, "{\"s\":{},\"c\":{\"" + attacker + "\":[1]}}", big));
  }

  private static Frame badFrame(Random r) {
    byte[] bytes = new byte[1 + r.nextInt(64)];
    r.nextBytes(bytes);
    if (r.nextBoolean()) {
      return new Frame(2, bytes);
    }
    bytes[0] = (byte) 0xC0; // an overlong encoding: never valid UTF-8
    bytes[Math.min(1, bytes.length - 1)] = (byte) 0x80;
    return new Frame(1, bytes);
  }

  private String ownDelta() {
    return "{\"s\":{},\"c\":{\"" + attacker + "\":[1]}}";
  }

  private static String counterDelta(String replica, long dot, long amount) {
    return "{\"s\":{\"items\":{\"t\":\"map\",\"e\":{\"coffee\":{\"t\":\"map\",\"e\":{\"qty\":{\"t\":\"ctr\",\"e\":[[\""
        + replica
        + "\","
        + dot
        + ","
        + amount
        + "]]}}}}}},\"c\":{\""
        + replica
        + "\":["
        + dot
        + "]}}";
  }

  private String push(long seq, String space, String delta) {
    return push(attacker, seq, space, delta);
  }

  private String push(String replica, long seq, String space, String delta) {
    return push(replica, seq, space, delta, "main");
  }

  private String push(long seq, String space, String delta, String docId) {
    return push(attacker, seq, space, delta, docId);
  }

  private static String push(String replica, long seq, String space, String delta, String docId) {
    return "{\"type\":\"push\",\"changesets\":[{\"replicaId\":\""
        + replica
        + "\",\"seq\":"
        + seq
        + ",\"space\":\""
        + space
        + "\",\"collection\":\"carts\",\"docId\":\""
        + docId
        + "\",\"hlc\":\"1000:"
        + seq
        + "\",\"delta\":"
        + delta
        + "}]}";
  }
}
