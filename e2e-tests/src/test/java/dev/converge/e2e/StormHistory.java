package dev.converge.e2e;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the storm's clients did and saw, timed on the test JVM's monotonic clock (nanoseconds), for
 * {@link StormCheckers}. Documents are named {@code space/doc}. Exact families are built so that a
 * read says exactly which writes it reflects:
 *
 * <ul>
 *   <li><b>atoms</b>: a cart add of {@code 2^bit} units of a sku (atom {@code sku#bit}; each bit of
 *       a sku is added once, so a quantity's binary digits name the adds it contains) and a set
 *       element added once ({@code tags#element}). Removes say which atoms they saw, and remove
 *       exactly those.
 *   <li><b>counters</b>: positive increments only, never reset.
 *   <li><b>registers</b>: unique values; each write says which values it saw and so superseded.
 * </ul>
 *
 * Thread-safe for appending; the checkers read a {@link #snapshot()}.
 */
final class StormHistory {

  /** How a request ended. */
  enum Outcome {
    /** It returned: the write is committed locally. */
    OK,
    /** The process died with it outstanding: it may or may not have happened. */
    INDETERMINATE
  }

  /** One entry of a client's history. */
  sealed interface Event permits Write, Read, Acked {
    String client();

    long start();

    long end();
  }

  /** A write of one of the exact families. */
  sealed interface Write extends Event permits AddAtom, RemoveAtoms, Increment, WriteRegister {
    Outcome outcome();

    String doc();
  }

  /** An add of a unique atom. */
  record AddAtom(String client, long start, long end, Outcome outcome, String doc, String atom)
      implements Write {}

  /**
   * A remove of the atoms it observed within {@code scope}: an atom prefix ending in {@code #}
   * (such as {@code s1#}, every add of a sku), one atom, or null for any atom of the document.
   * {@code observed} is every atom of the scope it saw, or null if unknown (indeterminate).
   */
  record RemoveAtoms(
      String client,
      long start,
      long end,
      Outcome outcome,
      String doc,
      String scope,
      Set<String> observed)
      implements Write {}

  /** A positive increment of a counter that is never reset. */
  record Increment(
      String client, long start, long end, Outcome outcome, String doc, String counter, long amount)
      implements Write {}

  /**
   * A register write of a unique value; {@code seen} are the values it superseded (null if
   * unknown).
   */
  record WriteRegister(
      String client,
      long start,
      long end,
      Outcome outcome,
      String doc,
      String register,
      String value,
      Set<String> seen)
      implements Write {}

  /**
   * A read of one document: the atoms present, the counters' values and the registers' values
   * (every concurrent value). Only what the document's families hold is filled in.
   */
  record Read(
      String client,
      long start,
      long end,
      String doc,
      Set<String> atoms,
      Map<String, Long> counters,
      Map<String, Set<String>> registers)
      implements Event {}

  /**
   * Evidence that the server acknowledged every write of {@code client} that ended before {@code
   * start}: a {@code syncNow} called then succeeded.
   */
  record Acked(String client, long start, long end) implements Event {}

  /** A status sample of a client. */
  record Sample(
      String client, long at, String connection, long pending, long rejected, String lastAck) {}

  /**
   * Something the storm did (a fault, a crash, a restart), for reading a failing seed's history.
   */
  record Note(long at, String text) {}

  private final List<Event> events = new ArrayList<>();
  private final List<Sample> samples = new ArrayList<>();
  private final List<Note> notes = new ArrayList<>();
  private final List<StormRestores.Restore> restores = new ArrayList<>();

  /** Records that a client's file was replaced by a copy taken earlier ({@link StormRestores}). */
  synchronized void restore(StormRestores.Restore restore) {
    restores.add(restore);
  }

  synchronized List<StormRestores.Restore> restores() {
    return new ArrayList<>(restores);
  }

  synchronized void note(long at, String text) {
    notes.add(new Note(at, text));
  }

  synchronized List<Note> notes() {
    return new ArrayList<>(notes);
  }

  synchronized void add(Event event) {
    events.add(event);
  }

  synchronized void sample(Sample sample) {
    samples.add(sample);
  }

  /** Returns the events so far, ordered by start time. */
  synchronized List<Event> snapshot() {
    List<Event> copy = new ArrayList<>(events);
    copy.sort(Comparator.comparingLong(Event::start));
    return copy;
  }

  /** Returns the samples so far, ordered by time. */
  synchronized List<Sample> samples() {
    List<Sample> copy = new ArrayList<>(samples);
    copy.sort(Comparator.comparingLong(Sample::at));
    return copy;
  }
}
