package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.converge.e2e.StormCheckers.ForeignObservation;
import dev.converge.e2e.StormCheckers.Tally;
import dev.converge.e2e.StormCheckers.Violation;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The storm's checkers are proven able to fail: each is fed a history doctored with the bug it is
 * meant to catch (an acknowledged write dropped, a change served twice, a read moved back in time,
 * a push stalled, a foreign space received, a replica diverged) and must report it. And they are
 * sound: every history of a correct in-memory model of the system passes them all.
 */
class StormCheckersTest {

  private static final String CART = "team/main";
  private static final String NOTE = "team/n1";
  private static final long HEAL = ms(1_000);

  // ---- a small correct history ---------------------------------------------------------------

  /** Two clients meeting in one cart and one note; every checker passes it. */
  private static List<Event> history() {
    List<Event> h = new ArrayList<>();
    h.add(new AddAtom("c1", ms(0), ms(1), Outcome.OK, CART, "s0#0"));
    h.add(new Acked("c1", ms(2), ms(3)));
    h.add(read("c2", 4, CART, Set.of("s0#0")));
    h.add(new AddAtom("c2", ms(6), ms(7), Outcome.OK, CART, "s0#1"));
    h.add(new AddAtom("c2", ms(7), ms(8), Outcome.OK, CART, "s2#0"));
    h.add(read("c1", 8, CART, Set.of("s0#0", "s0#1", "s2#0")));
    h.add(new RemoveAtoms("c1", ms(10), ms(11), Outcome.OK, CART, "s0#", Set.of("s0#0", "s0#1")));
    h.add(new AddAtom("c2", ms(12), ms(13), Outcome.OK, CART, "s1#0"));
    h.add(new Increment("c1", ms(14), ms(15), Outcome.OK, NOTE, "views", 5));
    h.add(new WriteRegister("c1", ms(15), ms(16), Outcome.OK, NOTE, "title", "a", Set.of()));
    h.add(noteRead("c2", 17, 5, Set.of("a")));
    h.add(new Increment("c2", ms(19), ms(20), Outcome.OK, NOTE, "views", 3));
    h.add(new WriteRegister("c2", ms(20), ms(21), Outcome.OK, NOTE, "title", "b", Set.of("a")));
    h.add(new Acked("c2", ms(22), ms(23)));
    h.add(noteRead("c1", 24, 8, Set.of("b")));
    h.add(read("c1", 26, CART, Set.of("s1#0", "s2#0")));
    h.add(new Acked("c1", ms(28), ms(29)));
    return h;
  }

  private static Map<String, Read> finals() {
    Map<String, Read> f = new TreeMap<>();
    f.put(CART, read("server", 900, CART, Set.of("s1#0", "s2#0")));
    f.put(NOTE, noteRead("server", 900, 8, Set.of("b")));
    return f;
  }

  @Test
  void theCorrectHistory_passesEveryChecker() {
    Tally tally = new Tally();
    assertThat(StormCheckers.writes(history(), finals(), HEAL, tally)).isEmpty();
    assertThat(StormCheckers.sessions(history())).isEmpty();
    assertThat(tally.writes).isEqualTo(9);
    assertThat(tally.acked).isEqualTo(9);
  }

  // ---- (b) writes -----------------------------------------------------------------------------

  @Test
  void droppingOneAcknowledgedWrite_isReported() {
    Map<String, Read> finals = finals();
    finals.put(CART, read("server", 900, CART, Set.of("s2#0")));
    assertThat(StormCheckers.writes(history(), finals, HEAL, new Tally()))
        .singleElement()
        .extracting(Violation::message)
        .asString()
        .contains("LOST ACKNOWLEDGED", "s1#0");
  }

  @Test
  void droppingOneAcknowledgedRegisterWrite_isReported() {
    Map<String, Read> finals = finals();
    finals.put(NOTE, noteRead("server", 900, 8, Set.of("a")));
    assertThat(StormCheckers.writes(history(), finals, HEAL, new Tally()))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("LOST ACKNOWLEDGED") && m.contains("write b"));
  }

  @Test
  void servingAChangeTwice_isReported() {
    // The increment of 3 applied twice; and a cart add applied twice turns bit 0 into bit 1.
    Map<String, Read> finals = finals();
    finals.put(NOTE, noteRead("server", 900, 11, Set.of("b")));
    finals.put(CART, read("server", 900, CART, Set.of("s1#1", "s2#0")));
    assertThat(StormCheckers.writes(history(), finals, HEAL, new Tally()))
        .extracting(Violation::message)
        .anySatisfy(m -> assertThat(m).contains("counter views is 11", "sum to 8"))
        .anySatisfy(m -> assertThat(m).contains("s1#1, never written"))
        .anySatisfy(m -> assertThat(m).contains("LOST", "s1#0"));
  }

  @Test
  void servingAChangeTwice_toAReader_isReportedFromTheHistory() {
    List<Event> h = history();
    h.add(noteRead("c2", 30, 11, Set.of("b")));
    assertThat(StormCheckers.sessions(h))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("more than every increment") && m.contains("applied twice"));
  }

  @Test
  void aRemovedItemComingBack_isReported() {
    Map<String, Read> finals = finals();
    finals.put(CART, read("server", 900, CART, Set.of("s0#0", "s1#0", "s2#0")));
    assertThat(StormCheckers.writes(history(), finals, HEAL, new Tally()))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("s0#0 is back"));
  }

  @Test
  void aSupersededValueSurvivingBesideItsSuccessor_isReported() {
    Map<String, Read> finals = finals();
    finals.put(NOTE, noteRead("server", 900, 8, Set.of("a", "b")));
    assertThat(StormCheckers.writes(history(), finals, HEAL, new Tally()))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("a survives beside b"));
  }

  @Test
  void anIndeterminateWrite_mayBeThereOrNot() {
    List<Event> h = history();
    h.add(new AddAtom("c2", ms(40), ms(41), Outcome.INDETERMINATE, CART, "s3#0"));
    h.add(new Increment("c2", ms(41), ms(42), Outcome.INDETERMINATE, NOTE, "views", 4));
    Map<String, Read> with = finals();
    with.put(CART, read("server", 900, CART, Set.of("s1#0", "s2#0", "s3#0")));
    with.put(NOTE, noteRead("server", 900, 12, Set.of("b")));
    assertThat(StormCheckers.writes(h, with, HEAL, new Tally())).isEmpty();
    assertThat(StormCheckers.writes(h, finals(), HEAL, new Tally())).isEmpty();
  }

  // ---- (c) sessions ---------------------------------------------------------------------------

  @Test
  void aReadMovedBackInTime_isReported() {
    List<Event> h = history();
    // c1 read {s0#0, s0#1, s2#0} at 8 ms; a read at 9 ms (before any remove) shows the older state.
    h.add(read("c1", 9, CART, Set.of("s0#0", "s2#0")));
    assertThat(StormCheckers.sessions(h))
        .singleElement()
        .extracting(Violation::message)
        .asString()
        .contains("c1", "no longer sees s0#1", "monotonic reads");
  }

  @Test
  void aRegisterReadMovedBackInTime_isReported() {
    List<Event> h = history();
    h.add(noteRead("c1", 30, 8, Set.of("a")));
    assertThat(StormCheckers.sessions(h))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("neither holds nor supersedes b"));
  }

  @Test
  void ownWriteMissingFromTheNextRead_isReportedAsReadYourWrites() {
    List<Event> h = history();
    h.add(read("c2", 14, CART, Set.of("s2#0")));
    assertThat(StormCheckers.sessions(h))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("no longer sees s1#0") && m.contains("read-your-writes"));
  }

  @Test
  void aCounterGoingBackwards_isReported() {
    List<Event> h = history();
    h.add(noteRead("c1", 30, 5, Set.of("b")));
    assertThat(StormCheckers.sessions(h))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("views = 5 after seeing or writing at least 8"));
  }

  @Test
  void aWriteVisibleWithoutWhatItsWriterHadSeen_isReportedAsCausal() {
    List<Event> h = history();
    h.add(read("c2", 30, CART, Set.of("s1#0", "s2#0")));
    h.add(new AddAtom("c2", ms(32), ms(33), Outcome.OK, CART, "s4#0"));
    h.add(read("c1", 40, CART, Set.of("s1#0", "s4#0")));
    assertThat(StormCheckers.sessions(h))
        .extracting(Violation::message)
        .anyMatch(m -> m.contains("reads s4#0") && m.contains("not s2#0") && m.contains("causal"))
        .anyMatch(m -> m.contains("no longer sees s2#0"));
  }

  @Test
  void aRemoveOfOneElement_doesNotCoverAnotherThatItsNamePrefixes() {
    List<Event> h = new ArrayList<>();
    h.add(new AddAtom("c1", ms(0), ms(1), Outcome.OK, NOTE, "tags#t3"));
    h.add(new AddAtom("c1", ms(1), ms(2), Outcome.OK, NOTE, "tags#t37"));
    h.add(new RemoveAtoms("c1", ms(3), ms(4), Outcome.OK, NOTE, "tags#t3", Set.of("tags#t3")));
    h.add(new Read("c1", ms(5), ms(6), NOTE, Set.of(), Map.of(), Map.of()));
    assertThat(StormCheckers.sessions(h))
        .singleElement()
        .extracting(Violation::message)
        .asString()
        .contains("no longer sees tags#t37");
    assertThat(StormCheckers.inScope("s11#0", "s1#")).isFalse();
    assertThat(StormCheckers.inScope("s1#0", "s1#")).isTrue();
    assertThat(StormCheckers.inScope("tags#t37", "tags#t3")).isFalse();
  }

  // ---- (d) isolation and (a) convergence --------------------------------------------------------

  @Test
  void aForeignSpaceReceived_isReported() {
    assertThat(
            StormCheckers.isolation(
                List.of(
                    new ForeignObservation("d1", "document user:bob/carts/main: {}", false),
                    new ForeignObservation("d5", "document user:alice/carts/main: {x}", true))))
        .singleElement()
        .extracting(Violation::message)
        .asString()
        .contains("d5", "user:alice");
  }

  @Test
  void aDivergedReplica_isReported() {
    Map<String, Map<String, String>> same = new TreeMap<>();
    same.put(CART, new TreeMap<>(Map.of("server", "{x}", "d0", "{x}", "d1", "{x}")));
    assertThat(StormCheckers.convergence(same)).isEmpty();
    same.get(CART).put("d1", "{y}");
    assertThat(StormCheckers.convergence(same))
        .singleElement()
        .extracting(Violation::message)
        .asString()
        .contains("diverged", "[d1] {y}");
  }

  // ---- liveness -------------------------------------------------------------------------------

  @Test
  void aStalledPush_isReported_andAFlowingOneIsNot() {
    List<Sample> stalled = new ArrayList<>();
    List<Sample> flowing = new ArrayList<>();
    for (int s = 0; s <= 90; s++) {
      stalled.add(new Sample("d0", ms(s * 1_000L), "ONLINE", 3, 0, "2026-01-01T00:00:00Z"));
      flowing.add(
          new Sample("d0", ms(s * 1_000L), "ONLINE", 3, 0, "2026-01-01T00:00:" + (s / 10) + "0Z"));
    }
    assertThat(StormCheckers.liveness(stalled, Long.MAX_VALUE, Duration.ofSeconds(60), 2))
        .singleElement()
        .extracting(Violation::message)
        .asString()
        .contains("d0 ONLINE with 3 pending", "no acknowledgement");
    assertThat(StormCheckers.liveness(flowing, Long.MAX_VALUE, Duration.ofSeconds(60), 2))
        .isEmpty();
  }

  @Test
  void aReconnectLoopAfterHealing_isReported() {
    List<Sample> samples = new ArrayList<>();
    for (int s = 0; s < 20; s++) {
      samples.add(new Sample("d3", ms(s * 500L), s % 2 == 0 ? "ONLINE" : "OFFLINE", 0, 0, null));
    }
    assertThat(StormCheckers.liveness(samples, 0, Duration.ofSeconds(60), 2))
        .singleElement()
        .extracting(Violation::message)
        .asString()
        .contains("reconnect loop");
    assertThat(StormCheckers.liveness(samples, ms(20_000), Duration.ofSeconds(60), 2)).isEmpty();
  }

  @Test
  void aClientThatNeverComesBackAfterHealing_isReported() {
    List<Sample> samples = new ArrayList<>();
    for (int s = 0; s <= 90; s++) {
      samples.add(new Sample("d4", ms(s * 1_000L), "OFFLINE", 1, 0, null));
    }
    assertThat(StormCheckers.liveness(samples, ms(10_000), Duration.ofSeconds(60), 2))
        .singleElement()
        .extracting(Violation::message)
        .asString()
        .contains("d4 OFFLINE with 1 pending", "after the network healed");
    assertThat(StormCheckers.liveness(samples, ms(40_000), Duration.ofSeconds(60), 2)).isEmpty();
  }

  // ---- soundness: a correct model's histories pass ------------------------------------------

  @Test
  void everyHistoryOfACorrectModel_passesEveryChecker() {
    qt().withFixedSeed(20261201L)
        .withExamples(300)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Model model = new Model(new Random(seed));
              model.run(120);
              Tally tally = new Tally();
              List<Violation> found = new ArrayList<>();
              found.addAll(StormCheckers.writes(model.events, model.finals(), HEAL, tally));
              found.addAll(StormCheckers.sessions(model.events));
              assertThat(found).as("model seed %d", seed).isEmpty();
            });
  }

  @Test
  void everyHistoryOfAModelThatLosesAnAckedWrite_failsTheWriteChecker() {
    qt().withFixedSeed(20261202L)
        .withExamples(100)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              Model model = new Model(new Random(seed));
              model.run(60);
              Map<String, Read> finals = model.finals();
              Read cart = finals.get(CART);
              AddAtom victim =
                  model.events.stream()
                      .filter(e -> e instanceof AddAtom a && cart.atoms().contains(a.atom()))
                      .map(AddAtom.class::cast)
                      .filter(a -> a.outcome() == Outcome.OK)
                      // not one that a remove of unknown view may have taken out
                      .filter(
                          a ->
                              model.events.stream()
                                  .noneMatch(
                                      e ->
                                          e instanceof RemoveAtoms r
                                              && r.observed() == null
                                              && r.end() > a.start()))
                      .findFirst()
                      .orElse(null);
              if (victim == null) {
                return;
              }
              finals.put(CART, without(cart, victim.atom()));
              assertThat(StormCheckers.writes(model.events, finals, HEAL, new Tally()))
                  .extracting(Violation::message)
                  .anyMatch(
                      m ->
                          m.contains(victim.atom()) && m.toLowerCase(Locale.ROOT).contains("lost"));
            });
  }

  /**
   * A correct system in miniature: a server log, and clients that apply the log up to their cursor
   * plus their own writes. Adds of unique atoms, removes of what the client sees, increments and
   * register writes all commute, so a client's state is a function of the set of writes it applied.
   */
  private static final class Model {
    private final Random random;
    final List<Event> events = new ArrayList<>();
    private final List<StormHistory.Write> log = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();
    private final Map<String, Integer> nextBit = new TreeMap<>();
    private long clock;
    private int values;

    Model(Random random) {
      this.random = random;
      for (int i = 0; i < 3; i++) {
        clients.add(new Client("c" + i));
      }
    }

    private final class Client {
      final String name;
      final List<StormHistory.Write> own = new ArrayList<>();
      int pushed;
      int cursor;

      Client(String name) {
        this.name = name;
      }

      Set<StormHistory.Write> applied() {
        Set<StormHistory.Write> all = Collections.newSetFromMap(new IdentityHashMap<>());
        all.addAll(log.subList(0, cursor));
        all.addAll(own);
        return all;
      }
    }

    void run(int steps) {
      for (int i = 0; i < steps; i++) {
        step(clients.get(random.nextInt(clients.size())));
      }
    }

    private void step(Client c) {
      long start = ms(clock++);
      long end = ms(clock++);
      boolean lost = random.nextInt(15) == 0;
      Outcome outcome = lost ? Outcome.INDETERMINATE : Outcome.OK;
      int dice = random.nextInt(10);
      StormHistory.Write write = null;
      StormHistory.Write recorded = null;
      if (dice == 0) {
        String sku = "s" + random.nextInt(3);
        int bit = nextBit.merge(sku, 1, Integer::sum) - 1;
        write = new AddAtom(c.name, start, end, outcome, CART, sku + "#" + bit);
        recorded = write;
      } else if (dice == 1) {
        String scope = "s" + random.nextInt(3) + "#";
        Set<String> seen = new TreeSet<>();
        atoms(c.applied()).stream().filter(a -> a.startsWith(scope)).forEach(seen::add);
        write = new RemoveAtoms(c.name, start, end, outcome, CART, scope, seen);
        recorded = lost ? new RemoveAtoms(c.name, start, end, outcome, CART, null, null) : write;
      } else if (dice == 2) {
        write = new Increment(c.name, start, end, outcome, NOTE, "views", 1 + random.nextInt(5));
        recorded = write;
      } else if (dice == 3) {
        Set<String> seen = registers(c.applied());
        String value = "v" + values++;
        write = new WriteRegister(c.name, start, end, outcome, NOTE, "title", value, seen);
        recorded =
            lost
                ? new WriteRegister(c.name, start, end, outcome, NOTE, "title", value, null)
                : write;
      } else if (dice <= 5) {
        Set<StormHistory.Write> applied = c.applied();
        events.add(new Read(c.name, start, end, CART, atoms(applied), Map.of(), Map.of()));
        events.add(
            new Read(
                c.name,
                start,
                end,
                NOTE,
                Set.of(),
                Map.of("views", views(applied)),
                Map.of("title", registers(applied))));
      } else if (dice == 6) {
        int n = random.nextInt(c.own.size() - c.pushed + 1);
        for (int i = 0; i < n; i++) {
          log.add(c.own.get(c.pushed++));
        }
      } else if (dice == 7) {
        c.cursor = log.size();
      } else {
        while (c.pushed < c.own.size()) {
          log.add(c.own.get(c.pushed++));
        }
        c.cursor = log.size();
        events.add(new Acked(c.name, start, end));
      }
      if (write != null) {
        // A write in flight when its process died happened or not.
        if (!lost || random.nextBoolean()) {
          c.own.add(write);
        }
        events.add(recorded);
      }
    }

    Map<String, Read> finals() {
      Set<StormHistory.Write> all = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Client c : clients) {
        all.addAll(c.own);
      }
      Map<String, Read> f = new TreeMap<>();
      f.put(CART, new Read("server", ms(clock), ms(clock), CART, atoms(all), Map.of(), Map.of()));
      f.put(
          NOTE,
          new Read(
              "server",
              ms(clock),
              ms(clock),
              NOTE,
              Set.of(),
              Map.of("views", views(all)),
              Map.of("title", registers(all))));
      return f;
    }

    private static Set<String> atoms(Set<StormHistory.Write> applied) {
      Set<String> out = new TreeSet<>();
      Set<String> removed = new TreeSet<>();
      for (StormHistory.Write w : applied) {
        if (w instanceof AddAtom a) {
          out.add(a.atom());
        } else if (w instanceof RemoveAtoms r) {
          removed.addAll(r.observed());
        }
      }
      out.removeAll(removed);
      return out;
    }

    private static long views(Set<StormHistory.Write> applied) {
      return applied.stream()
          .filter(w -> w instanceof Increment)
          .mapToLong(w -> ((Increment) w).amount())
          .sum();
    }

    private static Set<String> registers(Set<StormHistory.Write> applied) {
      Set<String> values = new LinkedHashSet<>();
      Set<String> superseded = new TreeSet<>();
      for (StormHistory.Write w : applied) {
        if (w instanceof WriteRegister r) {
          values.add(r.value());
          superseded.addAll(r.seen());
        }
      }
      values.removeAll(superseded);
      return new TreeSet<>(values);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static long ms(long millis) {
    return millis * 1_000_000;
  }

  private static Read read(String client, long atMillis, String doc, Set<String> atoms) {
    return new Read(client, ms(atMillis), ms(atMillis + 1), doc, atoms, Map.of(), Map.of());
  }

  private static Read noteRead(String client, long atMillis, long views, Set<String> titles) {
    return new Read(
        client,
        ms(atMillis),
        ms(atMillis + 1),
        NOTE,
        Set.of(),
        Map.of("views", views),
        Map.of("title", titles));
  }

  private static Read without(Read r, String atom) {
    UnaryOperator<Set<String>> drop =
        s -> {
          Set<String> copy = new TreeSet<>(s);
          copy.remove(atom);
          return copy;
        };
    return new Read(
        r.client(),
        r.start(),
        r.end(),
        r.doc(),
        drop.apply(r.atoms()),
        r.counters(),
        r.registers());
  }
}
