package dev.converge.core.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A write made again under fresh dots: the same values, increments and set adds, each register
 * value with the timestamp it was written at, under dots of the device's current replica id.
 *
 * <p>It is what a device does with a change the server refused as {@code dot_reused} when the
 * refused dots belong to an id the device has retired: its database was restored behind its back (a
 * backup of its whole directory), so the writes it made since reused dots that its discarded future
 * had already used for other writes, which the server holds. The refused write never took effect
 * anywhere; made again under dots nobody used, it means what the user meant, and the other life's
 * writes stay untouched (docs/reliability.md, bug 5).
 *
 * <p>Every entry of the refused write gets a fresh dot, whatever id it was made under: the server
 * recorded the refused dots as seen. Two deltas come out: the one to push, whose context names
 * neither those dots nor any dot of a retired id (the server holds other writes under some of them,
 * which must stay), and the one to join into the device's own state, whose context still names the
 * old dots (the device's entries under them are its own writes, now carried by the fresh dots).
 * I/O-free.
 */
public final class Reissue {

  /**
   * A context is rebuilt dot by dot above the first dropped dot inside a replica's prefix: past
   * this many, the write is not re-issued (reported refused instead) rather than held in memory.
   */
  static final long MAX_REBUILT_DOTS = 1_000_000;

  private final Set<Dot> superseded;
  private final String replica;
  private final CausalContext allocated;
  private final CausalContext fresh = new CausalContext();
  private final List<Dot> dropped = new ArrayList<>();
  private int left;

  private Reissue(Set<Dot> superseded, String replica, CausalContext allocated) {
    this.superseded = superseded;
    this.replica = replica;
    this.allocated = allocated;
  }

  /**
   * The two deltas of a re-issued write.
   *
   * @param pushed the delta to push: the write under fresh dots, its context without the old dots
   * @param local the delta to join into the device's state: it replaces the entries under the old
   *     dots with the same entries under the fresh ones
   * @param reissued how many fresh dots were drawn (a counter run takes one per dot it spans)
   * @param left how many entries were left out, superseded by a later write of the device
   */
  public record Result(Document pushed, Document local, int reissued, int left) {}

  /**
   * Re-issues {@code refused}: every entry under a fresh dot of {@code replica}.
   *
   * @param refused the refused delta (not changed)
   * @param retired which replica ids the device has retired: the pushed context names none of their
   *     dots, since the server may hold other writes under any of them
   * @param superseded dots of entries a later write of the device superseded: those entries are
   *     left out rather than re-issued, since the device itself no longer holds them
   * @param replica the device's current replica id, whose fresh dots replace the refused ones
   * @param documentContext the context of the device's state of the document: fresh dots are drawn
   *     past it (not changed)
   * @return the deltas, or nothing when a context is too large to rebuild
   */
  public static Optional<Result> of(
      Document refused,
      Predicate<String> retired,
      Set<Dot> superseded,
      String replica,
      CausalContext documentContext) {
    Reissue reissue = new Reissue(superseded, replica, documentContext.copy());
    MapValue root = reissue.map(refused.root());
    Optional<CausalContext> kept = without(refused.context(), reissue.dropped);
    if (!kept.isPresent()) {
      return Optional.empty();
    }
    // The server refused every entry, so it recorded their dots as seen: none is named again.
    // Nor is any dot of a retired id: the write may have superseded one that its discarded future
    // used for another write, which the server holds. What that costs: a remove the write made of
    // an entry of a retired id is not made again.
    CausalContext pushedContext = new CausalContext();
    for (String id : kept.get().replicas()) {
      if (!retired.test(id)) {
        pushedContext.addPrefix(id, kept.get().versionVector().getOrDefault(id, 0L));
        for (long counter : kept.get().cloud().getOrDefault(id, new TreeSet<>())) {
          pushedContext.add(id, counter);
        }
      }
    }
    pushedContext.addAll(reissue.fresh);
    CausalContext localContext = refused.context().copy();
    localContext.addAll(reissue.fresh);
    int reissued = (int) reissue.fresh.size();
    return Optional.of(
        new Result(
            new Document(root, pushedContext),
            new Document(root.copy(), localContext),
            reissued,
            reissue.left));
  }

  private MapValue map(MapValue in) {
    MapValue out = new MapValue();
    for (Map.Entry<FieldKey, CrdtValue> entry : in.typedEntries().entrySet()) {
      CrdtValue value = entry.getValue();
      CrdtValue mapped;
      if (value instanceof MapValue nested) {
        mapped = map(nested);
      } else if (value instanceof RegisterValue register) {
        mapped = register(register);
      } else if (value instanceof CounterValue counter) {
        mapped = counter(counter);
      } else {
        mapped = set((SetValue) value);
      }
      if (!mapped.isEmpty()) {
        out.put(entry.getKey().name(), mapped);
      }
    }
    return out;
  }

  private RegisterValue register(RegisterValue in) {
    RegisterValue out = new RegisterValue();
    for (Versioned value : in.entries().values()) {
      if (keep(value.dot())) {
        // The timestamp it was written at: made again, it wins or loses exactly as it would have.
        out.put(new Versioned(freshDot(), value.hlc(), value.value()));
      }
    }
    return out;
  }

  private CounterValue counter(CounterValue in) {
    CounterValue out = new CounterValue();
    for (CounterEntry entry : in.entries().values()) {
      Dot last = entry.dot();
      // A run stands for one increment per dot of its range: all of them are replaced.
      for (long counter = entry.first(); counter < last.counter(); counter++) {
        dropped.add(new Dot(last.replica(), counter));
      }
      if (keep(last)) {
        long span = last.counter() - entry.first() + 1;
        Dot first = freshDot();
        Dot end = first;
        for (long i = 1; i < span; i++) {
          end = freshDot();
        }
        out.put(new CounterEntry(end, first.counter(), entry.sum()));
      }
    }
    return out;
  }

  private SetValue set(SetValue in) {
    SetValue out = new SetValue();
    for (Map.Entry<String, ? extends Set<Dot>> element : in.entries().entrySet()) {
      for (Dot dot : element.getValue()) {
        if (keep(dot)) {
          out.put(element.getKey(), freshDot());
        }
      }
    }
    return out;
  }

  /** Records {@code dot} as dropped from the pushed context; whether to re-issue its entry. */
  private boolean keep(Dot dot) {
    dropped.add(dot);
    if (superseded.contains(dot)) {
      left++;
      return false;
    }
    return true;
  }

  private Dot freshDot() {
    Dot dot = allocated.nextDot(replica);
    allocated.add(dot);
    fresh.add(dot);
    return dot;
  }

  /**
   * Returns {@code context} without the dots {@code drop}, or nothing when that would list more
   * than {@link #MAX_REBUILT_DOTS} dots one by one (a dot dropped deep inside a long prefix).
   */
  public static Optional<CausalContext> without(CausalContext context, List<Dot> drop) {
    Map<String, TreeSet<Long>> byReplica = new TreeMap<>();
    for (Dot dot : drop) {
      byReplica.computeIfAbsent(dot.replica(), r -> new TreeSet<>()).add(dot.counter());
    }
    CausalContext out = new CausalContext();
    for (String replicaId : context.replicas()) {
      TreeSet<Long> gone = byReplica.getOrDefault(replicaId, new TreeSet<>());
      long prefix = context.versionVector().getOrDefault(replicaId, 0L);
      Long firstGone = gone.isEmpty() || gone.first() > prefix ? null : gone.first();
      if (firstGone == null) {
        out.addPrefix(replicaId, prefix);
      } else {
        if (prefix - firstGone > MAX_REBUILT_DOTS) {
          return Optional.empty();
        }
        out.addPrefix(replicaId, firstGone - 1);
        for (long counter = firstGone + 1; counter <= prefix; counter++) {
          if (!gone.contains(counter)) {
            out.add(replicaId, counter);
          }
        }
      }
      for (long counter : context.cloud().getOrDefault(replicaId, new TreeSet<>())) {
        if (!gone.contains(counter)) {
          out.add(replicaId, counter);
        }
      }
    }
    return Optional.of(out);
  }
}
