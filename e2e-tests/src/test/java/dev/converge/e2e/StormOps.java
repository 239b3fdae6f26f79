package dev.converge.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.converge.sdk.Cart;
import dev.converge.sdk.DocumentHandle;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.FieldConflict;
import dev.converge.sdk.FieldPolicy;
import dev.converge.sdk.FieldValue;
import dev.converge.sdk.Schema;
import dev.converge.sdk.SpaceStatus;
import dev.converge.sdk.SyncClient;
import dev.converge.sdk.SyncStatus;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operations a storm client performs, as JSON requests and results, run on a {@link SyncClient}
 * through its public API only. The same code serves clients in the test JVM and in child processes
 * ({@link StormClientMain}), so both kinds behave alike.
 *
 * <p>Documents of a space: the cart {@code main} (exact: only power-of-two adds and removes), the
 * cart {@code loose} (adds, set-quantity and removes; convergence only), the profile {@code me}
 * (last-writer-wins registers) and the note {@code n1} of collection {@code notes} ({@link #NOTE}).
 * A write that must say what it superseded runs in one {@link SyncClient#batch} with the read of
 * what it saw.
 */
final class StormOps {

  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static final String MAIN_CART = "main";
  static final String LOOSE_CART = "loose";
  static final String PROFILE = "me";
  static final String NOTES = "notes";
  static final String NOTE_ID = "n1";
  static final List<String> PROFILE_FIELDS = List.of("name", "city");

  /** The note's fields: a multi-value register, a positive counter, a set and a map. */
  static final Schema NOTE =
      Schema.builder()
          .field("title", FieldPolicy.REGISTER_MULTI_VALUE)
          .field("views", FieldPolicy.COUNTER)
          .field("tags", FieldPolicy.SET)
          .field("meta", FieldPolicy.MAP)
          .build();

  /** Reads the profile's registers with every concurrent value (the profile API shows winners). */
  static final Schema PROFILE_VIEW =
      Schema.builder()
          .field("name", FieldPolicy.REGISTER_LWW)
          .field("city", FieldPolicy.REGISTER_LWW)
          .build();

  private StormOps() {}

  /** Changes of foreign spaces each open client was told about, for {@code status}. */
  private static final Map<SyncClient, AtomicLong> FOREIGN_CHANGES =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  /** Opens a client as the storm configures it: {@code spaces} subscribed, short backoff. */
  static SyncClient open(Path db, URI syncUri, String token, List<String> spaces, String name) {
    return open(db, syncUri, token, spaces, name, List.of());
  }

  /**
   * Opens a client as the storm configures it, and listens to every storm collection of the {@code
   * foreign} spaces (which its user is not granted): {@code status} reports how many changes of
   * them it ever committed, which must stay 0.
   */
  static SyncClient open(
      Path db, URI syncUri, String token, List<String> spaces, String name, List<String> foreign) {
    SyncClient.Builder b =
        SyncClient.builder()
            .databasePath(db)
            .serverUri(syncUri)
            .tokenSupplier(() -> token)
            .replicaName(name)
            .backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    spaces.forEach(b::subscribe);
    SyncClient client = b.build().connect();
    AtomicLong changes = new AtomicLong();
    FOREIGN_CHANGES.put(client, changes);
    for (String space : foreign) {
      for (String collection : List.of(SyncClient.CARTS, SyncClient.PROFILES, NOTES)) {
        client.addCollectionListener(
            space, collection, Runnable::run, e -> changes.incrementAndGet());
      }
    }
    return client;
  }

  /**
   * Runs one request on {@code client} and returns its result. {@code syncNow} is not here: its
   * callers wait for it their own way.
   *
   * @throws IllegalArgumentException for an unknown operation
   */
  static ObjectNode execute(SyncClient client, JsonNode op) {
    String space = op.path("space").asText(null);
    ObjectNode result = NODES.objectNode();
    switch (op.path("op").asText()) {
      case "cartAdd" ->
          client
              .cart(space, op.path("cart").asText())
              .add(op.path("sku").asText(), op.path("amount").asLong());
      case "cartRemove" -> {
        // Picks among the items this replica sees, and says what the remove saw of it.
        Cart cart = client.cart(space, op.path("cart").asText());
        client.batch(
            () -> {
              List<String> skus = new ArrayList<>(cart.items().keySet());
              if (skus.isEmpty()) {
                return;
              }
              String sku = skus.get(Math.floorMod(op.path("pick").asInt(), skus.size()));
              result.put("sku", sku);
              result.put("observed", cart.quantity(sku));
              cart.remove(sku);
            });
      }
      case "cartSet" ->
          client
              .cart(space, op.path("cart").asText())
              .setQuantity(op.path("sku").asText(), op.path("quantity").asLong());
      case "cartRemoveSku" ->
          client.cart(space, op.path("cart").asText()).remove(op.path("sku").asText());
      case "profileSet" -> {
        DocumentHandle view = client.document(space, SyncClient.PROFILES, PROFILE, PROFILE_VIEW);
        String field = op.path("field").asText();
        client.batch(
            () -> {
              result.set("seen", values(view.values(field)));
              client.profile(space, PROFILE).set(field, op.path("value").asText());
            });
      }
      case "noteTitle" -> {
        DocumentHandle note = note(client, space);
        client.batch(
            () -> {
              result.set("seen", values(note.values("title")));
              note.set("title", plain(op.path("value")));
            });
      }
      case "noteViews" -> note(client, space).increment("views", op.path("amount").asLong());
      case "noteTag" -> note(client, space).addToSet("tags", op.path("element").asText());
      case "noteUntag" -> {
        DocumentHandle note = note(client, space);
        client.batch(
            () -> {
              List<String> tags = new ArrayList<>(note.elements("tags"));
              if (tags.isEmpty()) {
                return;
              }
              String tag = tags.get(Math.floorMod(op.path("pick").asInt(), tags.size()));
              result.put("element", tag);
              note.removeFromSet("tags", tag);
            });
      }
      case "notePut" ->
          note(client, space).put("meta", op.path("key").asText(), plain(op.path("value")));
      case "noteRemoveKey" -> note(client, space).removeKey("meta", op.path("key").asText());
      case "read" -> result.setAll(read(client, space, op.path("doc").asText()));
      case "readJson" -> result.setAll(readJson(client, space, op.path("doc").asText()));
      case "status" -> {
        result.setAll(status(client.status()));
        AtomicLong foreign = FOREIGN_CHANGES.get(client);
        result.put("foreignChanges", foreign == null ? 0 : foreign.get());
      }
      case "pause" -> client.pause();
      case "resume" -> client.resume();
      case "rejected" -> result.put("count", client.rejectedChanges().size());
      default -> throw new IllegalArgumentException("unknown storm op: " + op);
    }
    return result;
  }

  private static DocumentHandle note(SyncClient client, String space) {
    return client.document(space, NOTES, NOTE_ID, NOTE);
  }

  /**
   * A structured read of one document ({@code main}, {@code loose}, {@code me} or {@code n1}), in
   * the shape {@link StormRun} turns into a history read.
   */
  static ObjectNode read(SyncClient client, String space, String doc) {
    ObjectNode out = NODES.objectNode();
    switch (doc) {
      case MAIN_CART, LOOSE_CART -> {
        ObjectNode items = out.putObject("items");
        client.cart(space, doc).items().forEach(items::put);
      }
      case PROFILE -> {
        DocumentHandle view = client.document(space, SyncClient.PROFILES, PROFILE, PROFILE_VIEW);
        ObjectNode registers = out.putObject("registers");
        client.batch(() -> PROFILE_FIELDS.forEach(f -> registers.set(f, values(view.values(f)))));
      }
      case NOTE_ID -> {
        DocumentHandle note = note(client, space);
        client.batch(
            () -> {
              out.putObject("registers").set("title", values(note.values("title")));
              out.putObject("counters").put("views", note.counter("views"));
              ArrayNode tags = out.putArray("tags");
              note.elements("tags").forEach(tags::add);
              ObjectNode meta = out.putObject("meta");
              note.map("meta").forEach((k, v) -> meta.set(k, node(v)));
            });
      }
      default -> throw new IllegalArgumentException("unknown storm document: " + doc);
    }
    return out;
  }

  /** The key of one of a space's storm documents. */
  static DocumentKey key(String space, String doc) {
    return switch (doc) {
      case MAIN_CART, LOOSE_CART -> new DocumentKey(space, SyncClient.CARTS, doc);
      case PROFILE -> new DocumentKey(space, SyncClient.PROFILES, PROFILE);
      case NOTE_ID -> new DocumentKey(space, NOTES, NOTE_ID);
      default -> throw new IllegalArgumentException("unknown storm document: " + doc);
    };
  }

  /**
   * The document's plain JSON view and its conflicts, normalized like {@link
   * #normalizedServerView}, for the convergence check.
   */
  static ObjectNode readJson(SyncClient client, String space, String doc) {
    DocumentKey key = key(space, doc);
    // Any schema reads the document's conflicts; this one declares nothing we use.
    DocumentHandle handle = client.document(space, key.collection(), key.docId(), PROFILE_VIEW);
    ObjectNode out = NODES.objectNode();
    client.batch(
        () -> {
          out.set("value", client.readFields(key).map(StormOps::node).orElse(NODES.objectNode()));
          TreeSet<String> conflicts = new TreeSet<>();
          for (FieldConflict c : handle.conflicts()) {
            conflicts.add(
                conflict(
                    c.field(),
                    json(c.winner().value()),
                    c.losers().stream().map(StormOps::loser).toList()));
          }
          ArrayNode list = out.putArray("conflicts");
          conflicts.forEach(list::add);
        });
    return out;
  }

  /** The server's REST view of a document in the same normalized shape as {@link #readJson}. */
  static ObjectNode normalizedServerView(JsonNode document) {
    ObjectNode out = NODES.objectNode();
    if (document == null) {
      out.set("value", NODES.objectNode());
      out.putArray("conflicts");
      return out;
    }
    out.set("value", document.path("value").deepCopy());
    TreeSet<String> conflicts = new TreeSet<>();
    for (JsonNode c : document.path("conflicts")) {
      List<String> path = new ArrayList<>();
      c.path("path").forEach(p -> path.add(p.asText()));
      List<String> losers = new ArrayList<>();
      for (JsonNode l : c.path("losers")) {
        losers.add(
            l.path("value") + "@" + l.path("hlc").asText() + "@" + l.path("replicaId").asText());
      }
      conflicts.add(conflict(String.join("/", path), c.path("winner").toString(), losers));
    }
    ArrayNode list = out.putArray("conflicts");
    conflicts.forEach(list::add);
    return out;
  }

  private static String conflict(String path, String winner, List<String> losers) {
    return path + " winner=" + winner + " losers=" + new TreeSet<>(losers);
  }

  private static String loser(FieldValue l) {
    return json(l.value()) + "@" + l.hlc() + "@" + l.replicaId();
  }

  /** A plain SDK value as JSON text, as the server's REST view prints it. */
  static String json(Object plain) {
    try {
      return JSON.writeValueAsString(plain);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A plain SDK value as a JSON node, parsed back so numbers compare like the server's. */
  static JsonNode node(Object plain) {
    try {
      return JSON.readTree(json(plain));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JSON request value as the plain Java value the SDK takes. */
  static Object plain(JsonNode value) {
    return JSON.convertValue(value, Object.class);
  }

  static ObjectNode status(SyncStatus s) {
    ObjectNode out = NODES.objectNode();
    out.put("connection", s.connection().name());
    out.put("pending", s.pendingChanges());
    out.put("rejected", s.rejectedChanges());
    out.put("lastAck", s.lastAckAt() == null ? null : s.lastAckAt().toString());
    out.put("lastError", s.lastError());
    out.put("nextRetryAt", s.nextRetryAt() == null ? null : s.nextRetryAt().toString());
    ObjectNode spaces = out.putObject("spaces");
    for (Map.Entry<String, SpaceStatus> e : s.spaces().entrySet()) {
      spaces
          .putObject(e.getKey())
          .put("forbidden", e.getValue().forbidden())
          .put("cursor", e.getValue().cursor());
    }
    return out;
  }

  private static ArrayNode values(List<FieldValue> values) {
    ArrayNode out = NODES.arrayNode();
    values.forEach(v -> out.add(v.value() instanceof String s ? s : json(v.value())));
    return out;
  }

  static SortedMap<String, Long> items(JsonNode read) {
    SortedMap<String, Long> items = new java.util.TreeMap<>();
    read.path("items").properties().forEach(e -> items.put(e.getKey(), e.getValue().asLong()));
    return items;
  }
}
