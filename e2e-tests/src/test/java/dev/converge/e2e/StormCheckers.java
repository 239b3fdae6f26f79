package dev.converge.e2e;

import dev.converge.e2e.StormHistory.Acked;
import dev.converge.e2e.StormHistory.AddAtom;
import dev.converge.e2e.StormHistory.Event;
import dev.converge.e2e.StormHistory.Increment;
import dev.converge.e2e.StormHistory.Outcome;
import dev.converge.e2e.StormHistory.Read;
import dev.converge.e2e.StormHistory.RemoveAtoms;
import dev.converge.e2e.StormHistory.Sample;
import dev.converge.e2e.StormHistory.WriteRegister;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The storm's checkers: pure functions of a {@link StormHistory} and the final states, so a test
 * can feed them doctored inputs and prove that each one catches what it is meant to.
 *
 * <ul>
 *   <li>{@link #convergence}: (a) every replica of a document and the server hold the same state.
 *   <li>{@link #writes}: (b) every write that returned (and so every acknowledged one) is reflected
 *       in the final state unless a remove that saw it, or a later register write that saw it, took
 *       it out; nothing appears that nobody wrote; nothing a remove saw comes back.
 *   <li>{@link #sessions}: (c) per client, read-your-writes and monotonic reads (what a client saw
 *       or wrote stays visible until a remove that saw it), monotonic writes and
 *       writes-follow-reads (a read that shows a write shows what its writer had seen before it),
 *       no read beyond what was written.
 *   <li>{@link #isolation}: (d) no client ever held a document of a space its user is not granted.
 *   <li>{@link #liveness}: no client ONLINE with pending changes and no acknowledgement for longer
 *       than a bound; once the network is healed, no client disconnected for longer than that bound
 *       and no reconnect loop.
 * </ul>
 */
final class StormCheckers {

  /** One thing a checker found wrong. */
  record Violation(String checker, String message) {
    @Override
    public String toString() {
      return "[" + checker + "] " + message;
    }
  }

  /** What the write checker counted. */
  static final class Tally {
    long writes;
    long acked;
    long ackedBeforeHeal;
    long indeterminate;
    long reads;

    @Override
    public String toString() {
      return writes
          + " writes checked ("
          + acked
          + " acknowledged, "
          + ackedBeforeHeal
          + " of them during the storm; "
          + indeterminate
          + " indeterminate), "
          + reads
          + " reads";
    }
  }

  /** Something a client observed of a space its user is not granted. */
  record ForeignObservation(String observer, String what, boolean leaked) {}

  private StormCheckers() {}

  // ---- (a) convergence -------------------------------------------------------------------------

  /**
   * Checks that every observer (clients and the server) of each document holds the same state.
   *
   * @param states document, then observer, then its normalized state
   */
  static List<Violation> convergence(Map<String, Map<String, String>> states) {
    List<Violation> out = new ArrayList<>();
    states.forEach(
        (doc, byObserver) -> {
          Map<String, List<String>> observersByState = new TreeMap<>();
          byObserver.forEach(
              (observer, state) ->
                  observersByState.computeIfAbsent(state, s -> new ArrayList<>()).add(observer));
          if (observersByState.size() > 1) {
            StringBuilder text = new StringBuilder(doc + " diverged:");
            observersByState.forEach(
                (state, observers) ->
                    text.append("\n    ").append(observers).append(" ").append(state));
            out.add(new Violation("convergence", text.toString()));
          }
        });
    return out;
  }

  // ---- (b) writes ------------------------------------------------------------------------------

  /**
   * Checks the final state of each document against every write of the history.
   *
   * @param finals the final read of each document (all observers agree, per {@link #convergence})
   * @param healAt when the storm ended: acknowledgements before it count as "during the storm"
   */
  static List<Violation> writes(
      List<Event> history, Map<String, Read> finals, long healAt, Tally tally) {
    List<Violation> out = new ArrayList<>();
    List<Event> events = byStart(history);
    Index index = new Index(events);
    for (Event e : events) {
      if (e instanceof StormHistory.Write w && !finals.containsKey(w.doc())) {
        out.add(new Violation("writes", "no final read of " + w.doc() + ", written by " + w));
        break;
      }
    }
    for (Map.Entry<String, Read> entry : finals.entrySet()) {
      String doc = entry.getKey();
      Read end = entry.getValue();
      // atoms
      for (AddAtom add : index.adds.getOrDefault(doc, Map.of()).values()) {
        boolean present = end.atoms().contains(add.atom());
        boolean removedSurely = index.removedSurely(doc, add.atom());
        if (add.outcome() == Outcome.INDETERMINATE) {
          tally.indeterminate++;
        } else {
          count(tally, index, add, healAt);
          if (!present && !removedSurely && !index.mayHaveRemoved(doc, add, Long.MAX_VALUE)) {
            out.add(
                new Violation(
                    "writes", lost(index, add, healAt) + " add of " + add.atom() + " to " + doc));
          }
        }
        if (present && removedSurely) {
          out.add(
              new Violation(
                  "writes",
                  doc + ": " + add.atom() + " is back after a remove that saw it: " + add));
        }
      }
      for (RemoveAtoms remove : index.removes.getOrDefault(doc, List.of())) {
        if (remove.outcome() == Outcome.OK) {
          count(tally, index, remove, healAt);
        } else {
          tally.indeterminate++;
        }
      }
      for (String atom : end.atoms()) {
        if (!index.adds.getOrDefault(doc, Map.of()).containsKey(atom)) {
          out.add(new Violation("writes", doc + ": final state holds " + atom + ", never written"));
        }
      }
      // counters
      Set<String> counters = new TreeSet<>(end.counters().keySet());
      index.increments.getOrDefault(doc, Map.of()).keySet().forEach(counters::add);
      for (String counter : counters) {
        long sum = 0;
        List<Long> maybe = new ArrayList<>();
        for (Increment inc :
            index.increments.getOrDefault(doc, Map.of()).getOrDefault(counter, List.of())) {
          if (inc.outcome() == Outcome.OK) {
            sum += inc.amount();
            count(tally, index, inc, healAt);
          } else {
            maybe.add(inc.amount());
            tally.indeterminate++;
          }
        }
        long value = end.counters().getOrDefault(counter, 0L);
        if (!subsetSums(maybe).contains(value - sum)) {
          out.add(
              new Violation(
                  "writes",
                  doc
                      + ": counter "
                      + counter
                      + " is "
                      + value
                      + ", but the returned increments sum to "
                      + sum
                      + (maybe.isEmpty() ? "" : " (plus any of the indeterminate " + maybe + ")")));
        }
      }
      // registers
      Set<String> registers = new TreeSet<>(end.registers().keySet());
      index.registers.getOrDefault(doc, Map.of()).keySet().forEach(registers::add);
      for (String register : registers) {
        Map<String, WriteRegister> written =
            index.registers.getOrDefault(doc, Map.of()).getOrDefault(register, Map.of());
        Set<String> visible = end.registers().getOrDefault(register, Set.of());
        for (String value : visible) {
          if (!written.containsKey(value)) {
            out.add(
                new Violation(
                    "writes",
                    doc + ": register " + register + " holds " + value + ", never written"));
          }
        }
        for (WriteRegister w : written.values()) {
          if (w.outcome() == Outcome.INDETERMINATE) {
            tally.indeterminate++;
            continue;
          }
          count(tally, index, w, healAt);
          boolean kept =
              visible.contains(w.value())
                  || visible.stream()
                      .anyMatch(v -> index.dominates(doc, register, v, w.value(), false));
          if (!kept) {
            out.add(
                new Violation(
                    "writes",
                    lost(index, w, healAt)
                        + " write "
                        + w.value()
                        + " of "
                        + doc
                        + "/"
                        + register
                        + ": final values "
                        + visible
                        + " neither hold nor supersede it"));
          }
        }
        for (String a : visible) {
          for (String b : visible) {
            if (!a.equals(b) && index.dominates(doc, register, a, b, true)) {
              out.add(
                  new Violation(
                      "writes",
                      doc
                          + "/"
                          + register
                          + ": "
                          + b
                          + " survives beside "
                          + a
                          + ", which superseded it"));
            }
          }
        }
      }
    }
    return out;
  }

  private static void count(Tally tally, Index index, StormHistory.Write w, long healAt) {
    tally.writes++;
    long ackedAt = index.ackedAt(w);
    if (ackedAt != Long.MAX_VALUE) {
      tally.acked++;
      if (ackedAt < healAt) {
        tally.ackedBeforeHeal++;
      }
    }
  }

  private static String lost(Index index, StormHistory.Write w, long healAt) {
    long ackedAt = index.ackedAt(w);
    String what =
        ackedAt == Long.MAX_VALUE
            ? "lost write (returned, never acknowledged)"
            : ackedAt < healAt
                ? "LOST ACKNOWLEDGED write (acked during the storm)"
                : "LOST ACKNOWLEDGED write";
    return what + " by " + w.client() + " at " + millis(w.start()) + ":";
  }

  private static Set<Long> subsetSums(List<Long> amounts) {
    Set<Long> sums = new HashSet<>();
    sums.add(0L);
    for (long a : amounts) {
      Set<Long> next = new HashSet<>(sums);
      sums.forEach(s -> next.add(s + a));
      sums = next;
      if (sums.size() > 1_000_000) {
        break;
      }
    }
    return sums;
  }

  // ---- (c) sessions ----------------------------------------------------------------------------

  /**
   * Checks each client's session guarantees from its history: read-your-writes, monotonic reads,
   * monotonic writes and writes-follow-reads (as causal visibility within a document), and that no
   * read shows more than was written. A client killed and reopened on its file is the same session.
   */
  static List<Violation> sessions(List<Event> history) {
    return sessions(history, List.of());
  }

  /**
   * As {@link #sessions(List)}, with each client's session rolled back at a restore of its file to
   * what it was when the copy was taken ({@link StormRestores}).
   */
  static List<Violation> sessions(List<Event> history, List<StormRestores.Restore> restores) {
    List<Violation> out = new ArrayList<>();
    List<Event> events = byStart(history);
    Index index = new Index(events);
    Map<String, List<Event>> byClient = new TreeMap<>();
    for (Event e : events) {
      byClient.computeIfAbsent(e.client(), c -> new ArrayList<>()).add(e);
    }
    // Pass 1: what each add's writer had seen of its document when it wrote it.
    Map<AddAtom, Set<String>> past = new HashMap<>();
    var first = new StormRestores.Rollbacks<>(restores, Session::copy);
    byClient.forEach(
        (client, own) -> {
          Session s = new Session();
          for (Event e : own) {
            s = first.before(client, e.start(), s);
            if (e instanceof AddAtom add) {
              past.put(add, Set.copyOf(s.atoms(add.doc())));
            }
            s.apply(e, null, index, client);
          }
          first.end(client, s);
        });
    // Pass 2: the checks.
    var second = new StormRestores.Rollbacks<>(restores, Session::copy);
    byClient.forEach(
        (client, own) -> {
          Session s = new Session();
          for (Event e : own) {
            s = second.before(client, e.start(), s);
            if (e instanceof Read read) {
              checkCausal(read, s, past, index, out);
            }
            s.apply(e, out, index, client);
          }
          second.end(client, s);
        });
    return out;
  }

  private static void checkCausal(
      Read read, Session s, Map<AddAtom, Set<String>> past, Index index, List<Violation> out) {
    Set<String> before = s.lastRead.getOrDefault(read.doc(), Set.of());
    for (String atom : read.atoms()) {
      if (before.contains(atom)) {
        continue;
      }
      AddAtom add = index.adds.getOrDefault(read.doc(), Map.of()).get(atom);
      if (add == null) {
        continue;
      }
      for (String earlier : past.getOrDefault(add, Set.of())) {
        if (!read.atoms().contains(earlier)
            && !index.removedBefore(read.doc(), earlier, read.end(), null)) {
          out.add(
              new Violation(
                  "sessions",
                  read.client()
                      + " at "
                      + millis(read.start())
                      + " reads "
                      + atom
                      + " of "
                      + read.doc()
                      + " but not "
                      + earlier
                      + ", which "
                      + add.client()
                      + " had seen before writing it (causal order)"));
        }
      }
    }
  }

  /** One client's view, replayed from its history. */
  private static final class Session {
    final Map<String, Set<String>> atoms = new HashMap<>();
    final Map<String, Set<String>> ownAtoms = new HashMap<>();
    final Map<String, Set<String>> lastRead = new HashMap<>();
    final Map<String, Long> counterFloor = new HashMap<>();
    final Map<String, Set<String>> registers = new HashMap<>();

    Set<String> atoms(String doc) {
      return atoms.computeIfAbsent(doc, d -> new HashSet<>());
    }

    /** A deep copy: the session as it stands, for a restore to bring back. */
    Session copy() {
      Session c = new Session();
      atoms.forEach((d, a) -> c.atoms.put(d, new HashSet<>(a)));
      ownAtoms.forEach((d, a) -> c.ownAtoms.put(d, new HashSet<>(a)));
      c.lastRead.putAll(lastRead);
      c.counterFloor.putAll(counterFloor);
      c.registers.putAll(registers);
      return c;
    }

    void apply(Event e, List<Violation> out, Index index, String client) {
      if (e instanceof AddAtom add) {
        if (add.outcome() == Outcome.OK) {
          atoms(add.doc()).add(add.atom());
          ownAtoms.computeIfAbsent(add.doc(), d -> new HashSet<>()).add(add.atom());
        }
      } else if (e instanceof RemoveAtoms remove) {
        if (remove.outcome() == Outcome.OK && remove.observed() != null) {
          Set<String> inScope = new TreeSet<>();
          for (String atom : atoms(remove.doc())) {
            if (inScope(atom, remove.scope())) {
              inScope.add(atom);
            }
          }
          if (out != null) {
            for (String atom : inScope) {
              if (!remove.observed().contains(atom)
                  && !index.removedBefore(remove.doc(), atom, remove.end(), remove)) {
                out.add(disappeared(client, remove, remove.doc(), atom));
              }
            }
          }
          atoms(remove.doc()).removeAll(inScope);
        }
      } else if (e instanceof Increment inc) {
        if (inc.outcome() == Outcome.OK) {
          counterFloor.merge(inc.doc() + "/" + inc.counter(), inc.amount(), Long::sum);
        }
      } else if (e instanceof WriteRegister w) {
        String key = w.doc() + "/" + w.register();
        if (w.outcome() == Outcome.OK && w.seen() != null) {
          if (out != null) {
            checkRegisterRead(client, w, w.doc(), w.register(), w.seen(), index, out);
          }
          registers.put(key, Set.of(w.value()));
        }
      } else if (e instanceof Read read) {
        if (out != null) {
          checkRead(client, read, index, out);
        }
        atoms.put(read.doc(), new HashSet<>(read.atoms()));
        lastRead.put(read.doc(), read.atoms());
        read.counters().forEach((c, v) -> counterFloor.put(read.doc() + "/" + c, v));
        read.registers().forEach((r, v) -> registers.put(read.doc() + "/" + r, v));
      }
    }

    private void checkRead(String client, Read read, Index index, List<Violation> out) {
      String doc = read.doc();
      for (String atom : atoms(doc)) {
        if (!read.atoms().contains(atom) && !index.removedBefore(doc, atom, read.end(), null)) {
          out.add(disappeared(client, read, doc, atom));
        }
      }
      for (String atom : read.atoms()) {
        AddAtom add = index.adds.getOrDefault(doc, Map.of()).get(atom);
        if (add == null || add.start() > read.end()) {
          out.add(
              new Violation(
                  "sessions",
                  client
                      + " at "
                      + millis(read.start())
                      + " reads "
                      + atom
                      + " of "
                      + doc
                      + ", which nobody had written"));
        }
      }
      read.counters()
          .forEach(
              (counter, value) -> {
                long floor = counterFloor.getOrDefault(doc + "/" + counter, 0L);
                if (value < floor) {
                  out.add(
                      new Violation(
                          "sessions",
                          client
                              + " at "
                              + millis(read.start())
                              + " reads "
                              + doc
                              + "/"
                              + counter
                              + " = "
                              + value
                              + " after seeing or writing at least "
                              + floor
                              + " (read-your-writes / monotonic reads)"));
                }
                long ceiling = index.incrementsStartedBefore(doc, counter, read.end());
                if (value > ceiling) {
                  out.add(
                      new Violation(
                          "sessions",
                          client
                              + " at "
                              + millis(read.start())
                              + " reads "
                              + doc
                              + "/"
                              + counter
                              + " = "
                              + value
                              + ", more than every increment started by then ("
                              + ceiling
                              + "): a change applied twice?"));
                }
              });
      read.registers()
          .forEach(
              (register, values) -> {
                checkRegisterRead(client, read, doc, register, values, index, out);
                for (String v : values) {
                  WriteRegister w =
                      index
                          .registers
                          .getOrDefault(doc, Map.of())
                          .getOrDefault(register, Map.of())
                          .get(v);
                  if (w == null || w.start() > read.end()) {
                    out.add(
                        new Violation(
                            "sessions",
                            client
                                + " at "
                                + millis(read.start())
                                + " reads "
                                + doc
                                + "/"
                                + register
                                + " = "
                                + v
                                + ", which nobody had written"));
                  }
                }
              });
    }

    private void checkRegisterRead(
        String client,
        Event at,
        String doc,
        String register,
        Set<String> values,
        Index index,
        List<Violation> out) {
      for (String before : registers.getOrDefault(doc + "/" + register, Set.of())) {
        boolean kept =
            values.contains(before)
                || values.stream().anyMatch(v -> index.dominates(doc, register, v, before, false));
        if (!kept) {
          out.add(
              new Violation(
                  "sessions",
                  client
                      + " at "
                      + millis(at.start())
                      + " sees "
                      + doc
                      + "/"
                      + register
                      + " = "
                      + values
                      + ", which neither holds nor supersedes "
                      + before
                      + " that it had seen or written (read-your-writes / monotonic reads)"));
        }
      }
    }

    private Violation disappeared(String client, Event at, String doc, String atom) {
      boolean own = ownAtoms.getOrDefault(doc, Set.of()).contains(atom);
      return new Violation(
          "sessions",
          client
              + " at "
              + millis(at.start())
              + " no longer sees "
              + atom
              + " of "
              + doc
              + ", which it had "
              + (own ? "written (read-your-writes)" : "seen (monotonic reads)")
              + ", and no remove had seen it");
    }
  }

  // ---- (d) isolation ---------------------------------------------------------------------------

  /** Checks that no client observed anything of a space its user is not granted. */
  static List<Violation> isolation(List<ForeignObservation> observations) {
    List<Violation> out = new ArrayList<>();
    for (ForeignObservation o : observations) {
      if (o.leaked()) {
        out.add(new Violation("isolation", o.observer() + " received " + o.what()));
      }
    }
    return out;
  }

  // ---- liveness --------------------------------------------------------------------------------

  /**
   * Checks the status samples: a client ONLINE with pending changes must see an acknowledgement
   * (the pending count falls or the last ack time moves) within {@code stallBound}; after {@code
   * healAt}, a client must not stay disconnected longer than {@code stallBound} and may drop from
   * ONLINE at most {@code dropsAfterHeal} times.
   */
  static List<Violation> liveness(
      List<Sample> samples, long healAt, Duration stallBound, int dropsAfterHeal) {
    List<Violation> out = new ArrayList<>();
    Map<String, List<Sample>> byClient = new LinkedHashMap<>();
    samples.forEach(s -> byClient.computeIfAbsent(s.client(), c -> new ArrayList<>()).add(s));
    long bound = stallBound.toNanos();
    byClient.forEach(
        (client, list) -> {
          Sample since = null;
          boolean reported = false;
          Sample previous = null;
          int drops = 0;
          Sample offlineSince = null;
          boolean offlineReported = false;
          for (Sample s : list) {
            boolean disconnected =
                s.at() > healAt
                    && ("OFFLINE".equals(s.connection()) || "AUTH_FAILED".equals(s.connection()));
            if (!disconnected) {
              offlineSince = null;
            } else if (offlineSince == null) {
              offlineSince = s;
            } else if (!offlineReported && s.at() - offlineSince.at() > bound) {
              out.add(
                  new Violation(
                      "liveness",
                      client
                          + " "
                          + s.connection()
                          + " with "
                          + s.pending()
                          + " pending changes from "
                          + millis(offlineSince.at())
                          + " to "
                          + millis(s.at())
                          + ", after the network healed (bound "
                          + stallBound
                          + ")"));
              offlineReported = true;
            }
            boolean waiting = "ONLINE".equals(s.connection()) && s.pending() > 0;
            boolean progress =
                previous != null
                    && (s.pending() < previous.pending()
                        || !Objects.equals(s.lastAck(), previous.lastAck()));
            if (!waiting) {
              since = null;
              reported = false;
            } else if (since == null || progress) {
              since = s;
              reported = false;
            } else if (!reported && s.at() - since.at() > bound) {
              out.add(
                  new Violation(
                      "liveness",
                      client
                          + " ONLINE with "
                          + s.pending()
                          + " pending changes and no acknowledgement from "
                          + millis(since.at())
                          + " to "
                          + millis(s.at())
                          + " (bound "
                          + stallBound
                          + ")"));
              reported = true;
            }
            if (previous != null
                && s.at() > healAt
                && "ONLINE".equals(previous.connection())
                && !"ONLINE".equals(s.connection())
                && !"CLOSED".equals(s.connection())
                && !"PAUSED".equals(s.connection())) {
              drops++;
            }
            previous = s;
          }
          if (drops > dropsAfterHeal) {
            out.add(
                new Violation(
                    "liveness",
                    client
                        + " dropped from ONLINE "
                        + drops
                        + " times after the network healed (reconnect loop)"));
          }
        });
    return out;
  }

  // ---- the history, indexed -------------------------------------------------------------------

  /** The history's writes by document, for the checks. */
  private static final class Index {
    final Map<String, Map<String, AddAtom>> adds = new HashMap<>();
    final Map<String, List<RemoveAtoms>> removes = new HashMap<>();
    final Map<String, Map<String, List<Increment>>> increments = new HashMap<>();
    final Map<String, Map<String, Map<String, WriteRegister>>> registers = new HashMap<>();
    final Map<String, List<Long>> acks = new HashMap<>();

    Index(List<Event> events) {
      for (Event e : events) {
        if (e instanceof AddAtom a) {
          adds.computeIfAbsent(a.doc(), d -> new HashMap<>()).put(a.atom(), a);
        } else if (e instanceof RemoveAtoms r) {
          removes.computeIfAbsent(r.doc(), d -> new ArrayList<>()).add(r);
        } else if (e instanceof Increment i) {
          increments
              .computeIfAbsent(i.doc(), d -> new TreeMap<>())
              .computeIfAbsent(i.counter(), c -> new ArrayList<>())
              .add(i);
        } else if (e instanceof WriteRegister w) {
          registers
              .computeIfAbsent(w.doc(), d -> new TreeMap<>())
              .computeIfAbsent(w.register(), r -> new HashMap<>())
              .put(w.value(), w);
        } else if (e instanceof Acked a) {
          acks.computeIfAbsent(a.client(), c -> new ArrayList<>()).add(a.start());
        }
      }
      acks.values().forEach(list -> list.sort(Long::compare));
    }

    /** When the first evidence came that {@code w} was acknowledged; MAX_VALUE if never. */
    long ackedAt(StormHistory.Write w) {
      for (long at : acks.getOrDefault(w.client(), List.of())) {
        if (at >= w.end()) {
          return at;
        }
      }
      return Long.MAX_VALUE;
    }

    boolean removedSurely(String doc, String atom) {
      for (RemoveAtoms r : removes.getOrDefault(doc, List.of())) {
        if (r.outcome() == Outcome.OK && r.observed() != null && r.observed().contains(atom)) {
          return true;
        }
      }
      return false;
    }

    /** Whether a remove whose observation is unknown may have removed {@code add} by {@code t}. */
    boolean mayHaveRemoved(String doc, AddAtom add, long t) {
      for (RemoveAtoms r : removes.getOrDefault(doc, List.of())) {
        if (r.observed() == null
            && r.start() < t
            && add.start() < r.end()
            && inScope(add.atom(), r.scope())) {
          return true;
        }
      }
      return false;
    }

    /** Whether a remove other than {@code except} that started before {@code t} saw the atom. */
    boolean removedBefore(String doc, String atom, long t, RemoveAtoms except) {
      for (RemoveAtoms r : removes.getOrDefault(doc, List.of())) {
        if (r == except || r.start() >= t) {
          continue;
        }
        if (r.observed() != null ? r.observed().contains(atom) : scopeHolds(r, atom)) {
          return true;
        }
      }
      return false;
    }

    private boolean scopeHolds(RemoveAtoms r, String atom) {
      AddAtom add = adds.getOrDefault(r.doc(), Map.of()).get(atom);
      return inScope(atom, r.scope()) && (add == null || add.start() < r.end());
    }

    long incrementsStartedBefore(String doc, String counter, long t) {
      long sum = 0;
      for (Increment i : increments.getOrDefault(doc, Map.of()).getOrDefault(counter, List.of())) {
        if (i.start() < t) {
          sum += i.amount();
        }
      }
      return sum;
    }

    /**
     * Whether the write of {@code a} superseded {@code b}, directly or through other writes. A
     * write whose view is unknown (indeterminate) supersedes, unless {@code surely}, everything
     * written before it ended.
     */
    boolean dominates(String doc, String register, String a, String b, boolean surely) {
      Map<String, WriteRegister> written =
          registers.getOrDefault(doc, Map.of()).getOrDefault(register, Map.of());
      WriteRegister target = written.get(b);
      Deque<String> todo = new ArrayDeque<>();
      Set<String> done = new HashSet<>();
      todo.push(a);
      while (!todo.isEmpty()) {
        String v = todo.pop();
        if (!done.add(v)) {
          continue;
        }
        WriteRegister w = written.get(v);
        if (w == null) {
          continue;
        }
        if (w.seen() == null) {
          if (!surely && target != null && target.start() < w.end() && !v.equals(b)) {
            return true;
          }
          continue;
        }
        if (w.seen().contains(b)) {
          return true;
        }
        w.seen().forEach(todo::push);
      }
      return false;
    }
  }

  /**
   * Whether a remove's scope covers an atom: a scope ending in {@code #} covers every atom it
   * prefixes ({@code s1#} covers {@code s1#0}, not {@code s11#0}); any other scope is one atom; no
   * scope covers everything.
   */
  static boolean inScope(String atom, String scope) {
    if (scope == null) {
      return true;
    }
    return scope.endsWith("#") ? atom.startsWith(scope) : atom.equals(scope);
  }

  private static List<Event> byStart(List<Event> events) {
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(java.util.Comparator.comparingLong(Event::start));
    return sorted;
  }

  static String millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
  }
}
