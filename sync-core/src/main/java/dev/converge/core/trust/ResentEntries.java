package dev.converge.core.trust;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.CounterEntry;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import java.util.HashSet;
import java.util.Set;

/**
 * The entries of a resent changeset ({@link dev.converge.core.protocol.Changeset#resend}) that the
 * document already reflects: a device that took a new replica id pushes again writes it made
 * before, which the server may have received under the retired id and seen superseded or removed
 * since. Such an entry's dot is in the document's context but no entry of the document holds it any
 * more (or, for a counter increment, a run the server formed holds it): joining it changes nothing,
 * so it is not a reused dot. A dot the document still holds with another value stays a reused dot,
 * resent or not: that is a genuine fork.
 *
 * <p>What a member gains by claiming a resend: only that entries which the join drops anyway are
 * not reported to it. Every other rule of the trust boundary still applies.
 */
final class ResentEntries {

  private final Document stored;
  private Set<Dot> storedDots;

  ResentEntries(Document stored) {
    this.stored = stored;
  }

  /** Whether the document saw {@code dot} and no entry of it holds that dot now. */
  boolean alreadyReflected(Dot dot, CausalContext seen) {
    return seen.contains(dot) && !storedDots().contains(dot);
  }

  /**
   * Whether a counter {@code entry} is within the run {@code held} kept at its dot: the join keeps
   * the wider of the two, so the increment is already counted.
   */
  static boolean withinHeldRun(CounterEntry entry, CounterEntry held) {
    return held != null
        && held.isRun()
        && held.replica().equals(entry.replica())
        && held.first() <= entry.first()
        && entry.last() <= held.last();
  }

  private Set<Dot> storedDots() {
    if (storedDots == null) {
      storedDots = new HashSet<>();
      stored.root().forEachDot(storedDots::add);
    }
    return storedDots;
  }
}
