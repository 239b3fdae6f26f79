package dev.converge.core.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A document: an observed-remove map from field name to typed value, with the causal context of
 * everything it has seen. It is the unit of sync, keyed by (space, collection, id), and also the
 * shape of every delta: a delta is a small document, and applying it is a {@link #join}.
 *
 * <p>Mutators take a path of keys through nested maps (the last key names the field), apply their
 * change to this document and return the delta to ship. Map entries are keyed by (name, type), so a
 * path step always follows the map under its name and a leaf is the value of the mutator's type:
 * writing a register at a name supersedes every value seen there, of any type; counter and set
 * updates leave other types alone.
 *
 * <p>Join is total, commutative, associative and idempotent; applying deltas in any order, with
 * duplicates, gives the same state as applying the full state. Counters stay bounded through {@link
 * #compact(StablePoint)}, which the server runs at the causally stable point. Mutable and not
 * thread-safe.
 */
public final class Document {

  /** Never mutated: stands for "removes nothing" in joins. */
  private static final CausalContext EMPTY = new CausalContext();

  private final MapValue root;
  private final CausalContext context;

  /** An empty document. */
  public Document() {
    this(new MapValue(), new CausalContext());
  }

  /** A document of the given store and context (taken over, not copied). */
  public Document(MapValue root, CausalContext context) {
    this.root = Objects.requireNonNull(root, "root");
    this.context = Objects.requireNonNull(context, "context");
  }

  /** Returns the top-level map of fields. Read-only use only: mutate through this class. */
  public MapValue root() {
    return root;
  }

  /** Returns the causal context. Read-only use only. */
  public CausalContext context() {
    return context;
  }

  /** Returns whether the document holds no value and has seen nothing. */
  public boolean isEmpty() {
    return root.isEmpty() && context.isEmpty();
  }

  /** Returns a deep copy. */
  public Document copy() {
    return new Document(root.copy(), context.copy());
  }

  /**
   * Joins {@code other} (a delta or a full state) into this document. Costs in proportion to the
   * delta's store plus the entries of this document its context may cover. Never fails: a name
   * written as two types holds both.
   */
  public void join(Document other) {
    Document incoming = other == this ? other.copy() : other;
    // A state's store dots are a subset of its context. When the incoming context holds nothing
    // beyond its store's dots, it removes nothing here, and the join reduces to adding what is new:
    // no walk over this document's other entries. Adds and increments are such deltas.
    CausalContext removing = incoming.removesNothing() ? EMPTY : incoming.context;
    root.join(incoming.root, context, removing);
    context.addAll(incoming.context);
  }

  private boolean removesNothing() {
    long[] storeDots = {0};
    root.forEachDot(dot -> storeDots[0]++);
    return context.size() == storeDots[0];
  }

  /** Returns a new document, the join of {@code a} and {@code b}; neither is changed. */
  public static Document joined(Document a, Document b) {
    Document result = a.copy();
    result.join(b);
    return result;
  }

  // ---- reads -------------------------------------------------------------------------------

  /**
   * Returns the value at {@code path}, if present: each step follows the map under its name, and
   * the leaf is the preferred value of its name ({@link MapValue#get(String)}).
   */
  public Optional<CrdtValue> get(List<String> path) {
    if (path.isEmpty()) {
      return Optional.of(root);
    }
    return parentOf(path).map(parent -> parent.get(path.get(path.size() - 1)));
  }

  /**
   * Returns the value of {@code type} at {@code path}, if present, whatever other types share its
   * name.
   */
  public <T extends CrdtValue> Optional<T> get(List<String> path, Class<T> type) {
    if (path.isEmpty()) {
      return Optional.of(root).filter(type::isInstance).map(type::cast);
    }
    ValueType wanted = ValueType.of(type);
    return parentOf(path)
        .map(parent -> parent.get(path.get(path.size() - 1), wanted))
        .map(type::cast);
  }

  /** Returns the map holding the leaf of {@code path} (non-empty), following maps by name. */
  private Optional<MapValue> parentOf(List<String> path) {
    MapValue current = root;
    for (int i = 0; i < path.size() - 1; i++) {
      current =
          (MapValue) current.get(Objects.requireNonNull(path.get(i), "path key"), ValueType.MAP);
      if (current == null) {
        return Optional.empty();
      }
    }
    return Optional.of(current);
  }

  /**
   * Returns a plain JSON view: registers as their last-writer-wins value, counters as numbers, sets
   * as sorted arrays, maps as objects; a name holding several types shows its preferred one ({@link
   * MapValue#get(String)}).
   */
  public ObjectNode toJson() {
    return (ObjectNode) DocumentReads.plain(root);
  }

  /** Returns the greatest register timestamp this document holds, or {@link Hlc#ZERO}. */
  public Hlc maxHlc() {
    return DocumentReads.maxHlc(root);
  }

  /**
   * Returns every name that holds values of several types, in path order, with each value as plain
   * JSON.
   */
  public List<TypeOverlap> typeOverlaps() {
    return DocumentReads.typeOverlaps(root);
  }

  /** Returns every register that holds concurrent values, in path order. */
  public List<Conflict> conflicts() {
    return DocumentReads.conflicts(root);
  }

  // ---- compaction ----------------------------------------------------------------------------

  /**
   * Coalesces, in every counter, each replica's stable entries (single increments and earlier runs)
   * into one run, and returns the <em>compaction delta</em>: the runs formed, with a context
   * holding the key dots of the entries they replace. Only the server compacts, at a point computed
   * honestly from what every live replica has seen ({@link StablePoint}); a point beyond this
   * document's gap-free context is clamped to it.
   *
   * <p>Compaction never changes a read (values, keys, registers, sets are untouched), is idempotent
   * (compacting again at the same point changes nothing) and monotone: it is an inflation (joining
   * the state from before compaction changes nothing), and compacting at a point, then at a later
   * one, equals compacting at the later one directly. The delta obeys the delta law: joined into
   * the state before compaction, it gives the state after.
   *
   * <p>Log and fan out the delta like a change. A replica that joins it replaces the entries it
   * holds inside each run by the run, so devices stay bounded too; and a replica must hold a run
   * before it joins a remove made against it, since such a remove covers the run's last dot only.
   * Delivering the log in order guarantees that; a full state (a snapshot) serves as well.
   *
   * @param stable the causally stable point of this document
   * @return the compaction delta; {@link #isEmpty() empty} when nothing was coalesced
   */
  public Document compact(StablePoint stable) {
    return CounterCompaction.compact(root, context, Objects.requireNonNull(stable, "stable"));
  }

  // ---- mutators: each applies its delta here and returns it -------------------------------

  /**
   * Writes a register: the new value supersedes every value this replica has seen at the path, of
   * any type.
   *
   * @return the delta
   */
  public Document writeRegister(String replica, List<String> path, JsonNode value, Hlc hlc) {
    requireNonEmpty(path);
    Dot dot = context.nextDot(replica);
    RegisterValue leaf = new RegisterValue();
    leaf.put(new Versioned(dot, hlc, JsonValues.normalize(Objects.requireNonNull(value, "value"))));
    CausalContext deltaContext = new CausalContext();
    seenAt(path, deltaContext);
    deltaContext.add(dot);
    return applyLocal(wrap(path, leaf), deltaContext);
  }

  /**
   * Adds {@code amount} (negative to subtract) to a counter. The increment gets a dot of its own,
   * so a concurrent remove of the enclosing entry, which has not seen it, leaves exactly this
   * increment. The counter's value saturates at ±{@link CounterValue#MAX_VALUE}.
   *
   * @return the delta
   * @throws IllegalArgumentException if {@code amount} is 0 or beyond ±{@link
   *     CounterValue#MAX_INCREMENT}
   */
  public Document addToCounter(String replica, List<String> path, long amount) {
    if (amount == 0 || Math.abs(amount) > CounterValue.MAX_INCREMENT) {
      throw new IllegalArgumentException(
          "amount must be non-zero and within ±"
              + CounterValue.MAX_INCREMENT
              + " (2^31): "
              + amount);
    }
    requireNonEmpty(path);
    Dot dot = context.nextDot(replica);
    CounterValue leaf = new CounterValue();
    leaf.put(dot, amount);
    CausalContext deltaContext = new CausalContext();
    deltaContext.add(dot);
    return applyLocal(wrap(path, leaf), deltaContext);
  }

  /**
   * Adds {@code element} to a set; concurrent adds win over removes.
   *
   * @return the delta
   */
  public Document addToSet(String replica, List<String> path, String element) {
    requireNonEmpty(path);
    Optional<SetValue> existing = get(path, SetValue.class);
    CausalContext deltaContext = new CausalContext();
    existing.ifPresent(v -> v.dotsOf(element).forEach(deltaContext::add));
    Dot dot = context.nextDot(replica);
    deltaContext.add(dot);
    SetValue leaf = new SetValue();
    leaf.put(Objects.requireNonNull(element, "element"), dot);
    return applyLocal(wrap(path, leaf), deltaContext);
  }

  /**
   * Removes {@code element} from a set: clears the adds this replica has seen.
   *
   * @return the delta (empty if the element was absent)
   */
  public Document removeFromSet(List<String> path, String element) {
    requireNonEmpty(path);
    CausalContext deltaContext = new CausalContext();
    get(path, SetValue.class).ifPresent(v -> v.dotsOf(element).forEach(deltaContext::add));
    return applyLocal(new MapValue(), deltaContext);
  }

  /**
   * Removes the value at {@code path}, whatever its type: resets everything seen under it. A
   * concurrent update elsewhere survives.
   *
   * @return the delta (empty if nothing was there)
   */
  public Document remove(List<String> path) {
    requireNonEmpty(path);
    CausalContext deltaContext = new CausalContext();
    seenAt(path, deltaContext);
    return applyLocal(new MapValue(), deltaContext);
  }

  /** Adds to {@code sink} every dot held under the leaf name of {@code path}, of every type. */
  private void seenAt(List<String> path, CausalContext sink) {
    parentOf(path)
        .ifPresent(
            parent ->
                parent
                    .typesOf(path.get(path.size() - 1))
                    .values()
                    .forEach(v -> v.forEachDot(sink::add)));
  }

  private Document applyLocal(MapValue deltaRoot, CausalContext deltaContext) {
    Document delta = new Document(deltaRoot, deltaContext);
    join(delta);
    return delta;
  }

  private static MapValue wrap(List<String> path, CrdtValue leaf) {
    CrdtValue current = leaf;
    for (int i = path.size() - 1; i >= 0; i--) {
      MapValue parent = new MapValue();
      parent.put(path.get(i), current);
      current = parent;
    }
    return (MapValue) current;
  }

  private static void requireNonEmpty(List<String> path) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException("path is empty: name at least one field");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Document other && root.equals(other.root) && context.equals(other.context);
  }

  @Override
  public int hashCode() {
    return root.hashCode() * 31 + context.hashCode();
  }

  @Override
  public String toString() {
    return "Document{" + root + ", " + context + "}";
  }
}
