package dev.converge.e2e;

import dev.converge.e2e.StormHistory.Acked;
import dev.converge.e2e.StormHistory.Event;
import dev.converge.e2e.StormHistory.Outcome;
import dev.converge.e2e.StormHistory.RemoveAtoms;
import dev.converge.e2e.StormHistory.Write;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What a client's file going back in time means for the checkers: a phone restored from a device
 * backup (its file replaced by an older copy of itself), or a second install started on a copy of
 * another install's file.
 *
 * <p><b>Writes.</b> A write the client made after the copy was taken, on the file that the restore
 * then discarded, is lost with that file unless the server had it: it counts as indeterminate (it
 * may or may not be in the final state, and an increment of it may or may not count) unless the
 * history holds evidence that the server acknowledged it before the restore (an {@code Acked} of
 * the client that started after the write and before the restore), in which case it stays required
 * everywhere. Nothing else changes: every write the copy itself holds, acknowledged or still in its
 * outbox, is required exactly once.
 *
 * <p><b>Sessions.</b> The one observation exempt from read-your-writes and monotonic reads is that
 * the restored client's reads after the restore may miss what it wrote or saw after the copy was
 * taken (its file no longer holds it; what the server has comes back with the next changes). So the
 * client's session is rolled back, at the restore, to what it was when the copy was taken: what it
 * had written or seen before then stays required, and from the restore on every read and write is
 * checked as before. A copied install's session starts from the session of the install it was
 * copied from, at the copy.
 */
final class StormRestores {

  private StormRestores() {}

  /**
   * The file of {@code client} replaced at {@code restoredAt} by a copy of {@code from}'s file
   * taken at {@code copiedAt} (history times). A restore from a backup has {@code from} = {@code
   * client}; a copied install has its own name and {@code restoredAt} = {@code copiedAt}.
   */
  record Restore(String client, String from, long copiedAt, long restoredAt) {

    /** Whether this restore discarded a file that {@code client} had written on. */
    boolean discards() {
      return client.equals(from) && restoredAt > copiedAt;
    }
  }

  /**
   * Returns the history for the {@code writes} checker: each write a restore discarded, with no
   * evidence of its acknowledgement before the restore, made indeterminate (a remove's observation
   * unknown too: if it reached the server it removed what it saw).
   */
  static List<Event> forWrites(List<Event> events, List<Restore> restores) {
    if (restores.isEmpty()) {
      return events;
    }
    List<Event> out = new ArrayList<>(events.size());
    for (Event e : events) {
      out.add(e instanceof Write w && discarded(w, events, restores) ? indeterminate(w) : e);
    }
    return out;
  }

  private static boolean discarded(Write w, List<Event> events, List<Restore> restores) {
    for (Restore r : restores) {
      if (r.discards()
          && r.client().equals(w.client())
          && w.start() >= r.copiedAt()
          && w.end() <= r.restoredAt()
          && !ackedBetween(events, w.client(), w.end(), r.restoredAt())) {
        return true;
      }
    }
    return false;
  }

  private static boolean ackedBetween(List<Event> events, String client, long from, long to) {
    for (Event e : events) {
      if (e instanceof Acked a
          && a.client().equals(client)
          && a.start() >= from
          && a.start() < to) {
        return true;
      }
    }
    return false;
  }

  private static Write indeterminate(Write w) {
    Outcome lost = Outcome.INDETERMINATE;
    if (w instanceof StormHistory.AddAtom a) {
      return new StormHistory.AddAtom(a.client(), a.start(), a.end(), lost, a.doc(), a.atom());
    }
    if (w instanceof RemoveAtoms r) {
      return new RemoveAtoms(r.client(), r.start(), r.end(), lost, r.doc(), r.scope(), null);
    }
    if (w instanceof StormHistory.Increment i) {
      return new StormHistory.Increment(
          i.client(), i.start(), i.end(), lost, i.doc(), i.counter(), i.amount());
    }
    StormHistory.WriteRegister r = (StormHistory.WriteRegister) w;
    return new StormHistory.WriteRegister(
        r.client(), r.start(), r.end(), lost, r.doc(), r.register(), r.value(), r.seen());
  }

  /**
   * Rolls sessions back at restores while the {@code sessions} checker replays each client's
   * history. Clients are replayed one after the other, a copied install after the one it was copied
   * from (its name sorts after it); {@code S} is the checker's session state, {@code copy} a deep
   * copy of it.
   */
  static final class Rollbacks<S> {
    private final List<Restore> restores;
    private final UnaryOperator<S> copy;
    private final Map<Restore, S> copies = new HashMap<>();
    private final Set<Restore> applied = new HashSet<>();

    Rollbacks(List<Restore> restores, UnaryOperator<S> copy) {
      this.restores = restores;
      this.copy = copy;
    }

    /**
     * Returns the session of {@code client} for its event that starts at {@code t}: {@code
     * session}, after keeping a copy of it for every copy of its file taken before {@code t}, or
     * the copy a restore of its file before {@code t} brings back.
     */
    S before(String client, long t, S session) {
      S current = session;
      for (Restore r : restores) {
        if (r.from().equals(client) && r.copiedAt() <= t && !copies.containsKey(r)) {
          copies.put(r, copy.apply(current));
        }
        if (r.client().equals(client) && r.restoredAt() <= t && applied.add(r)) {
          S restored = copies.get(r);
          if (restored != null) {
            current = copy.apply(restored);
          }
        }
      }
      return current;
    }

    /** Keeps a copy of {@code client}'s final session for every copy taken after its last event. */
    void end(String client, S session) {
      before(client, Long.MAX_VALUE, session);
    }
  }
}
