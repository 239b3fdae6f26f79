package dev.converge.server.sync;

import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.changeset.LoggedChange;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The recent tail of each followed space's log, shared by this node's sessions, so that a commit
 * followed by a thousand sessions costs one database read, not a thousand.
 *
 * <p>Each space keeps a contiguous window of its latest changes. A session whose cursor falls in
 * the window is served from memory; a session at the window's end asks for newer changes, and
 * concurrent asks share one read; a session further behind reads the database itself. A
 * notification for the space marks the window stale, so a session at the end reads again only when
 * something may have been committed since the last read. Thread-safe.
 */
@ApplicationScoped
public class SpaceLogCache {

  /** Changes kept per space. */
  static final int WINDOW = 2_000;

  /**
   * Characters of deltas kept per space: with changes near the 1 MiB message limit, the count bound
   * alone would let one busy space hold gigabytes.
   */
  static final long WINDOW_CHARS = 4L * 1024 * 1024;

  /** Changes read per refresh. */
  static final int FETCH = 500;

  private final ChangeLogReader log;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  SpaceLogCache(ChangeLogReader log) {
    this.log = log;
  }

  /** Notes that {@code space} may have new commits. */
  void invalidate(String space) {
    Window window = windows.get(space);
    if (window != null) {
      synchronized (window) {
        window.generation++;
      }
    }
  }

  /** Forgets a space no session of this node follows any more. */
  void forget(String space) {
    windows.remove(space);
  }

  /**
   * Returns up to {@code limit} changes of {@code space} after {@code since}, in order: the same
   * rows {@link ChangeLogReader#read} would return.
   */
  Uni<List<LoggedChange>> read(String space, long since, int limit) {
    Window window = windows.computeIfAbsent(space, s -> new Window(WINDOW, WINDOW_CHARS));
    Uni<Void> refresh;
    synchronized (window) {
      if (window.covers(since)) {
        List<LoggedChange> slice = window.slice(since, limit);
        // A short slice at the window's end is the whole answer only if nothing can follow it.
        if (slice.size() == limit || window.fresh()) {
          return Uni.createFrom().item(slice);
        }
      } else if (window.initialized() && since > window.last()) {
        // Ahead of the window (a cursor from a snapshot head, say): read directly.
        return log.read(space, since, limit);
      }
      if (window.initialized() && since < window.first() - 1) {
        return log.read(space, since, limit);
      }
      if (window.initialized() && since == window.last() && window.fresh()) {
        return Uni.createFrom().item(List.of());
      }
      if (window.refreshing == null) {
        long from = window.initialized() ? window.last() : since;
        long generation = window.generation;
        window.refreshing =
            log.read(space, from, FETCH)
                .invoke(
                    rows -> {
                      synchronized (window) {
                        window.append(from, rows, generation);
                        window.refreshing = null;
                      }
                    })
                .onFailure()
                .invoke(
                    e -> {
                      synchronized (window) {
                        window.refreshing = null;
                      }
                    })
                .replaceWithVoid()
                .memoize()
                .indefinitely();
      }
      refresh = window.refreshing;
    }
    return refresh.chain(
        () -> {
          synchronized (window) {
            if (window.covers(since)) {
              return Uni.createFrom().item(window.slice(since, limit));
            }
          }
          return log.read(space, since, limit);
        });
  }

  /**
   * A contiguous run of a space's log: changes first()..last(), at most {@code maxRows} of them and
   * at most {@code maxChars} characters of deltas (the oldest go first; a change larger than the
   * whole budget is not kept, and sessions read it from the database).
   */
  static final class Window {
    final ArrayList<LoggedChange> rows = new ArrayList<>();
    private final int maxRows;
    private final long maxChars;
    private long chars;

    /** serverSeq just before the first row kept (or the start cursor when empty). */
    long base = -1;

    long generation;
    long fetchedGeneration = -1;
    Uni<Void> refreshing;

    Window(int maxRows, long maxChars) {
      this.maxRows = maxRows;
      this.maxChars = maxChars;
    }

    /** Characters of deltas held now. */
    long chars() {
      return chars;
    }

    boolean initialized() {
      return base >= 0;
    }

    /** Whether the window reached the log's end after the latest notification. */
    boolean fresh() {
      return fetchedGeneration == generation;
    }

    long first() {
      return base + 1;
    }

    long last() {
      return base + rows.size();
    }

    /** Whether the window holds the change right after {@code since}. */
    boolean covers(long since) {
      return initialized() && since >= base && since < last();
    }

    List<LoggedChange> slice(long since, int limit) {
      int from = (int) (since - base);
      return List.copyOf(rows.subList(from, Math.min(rows.size(), from + limit)));
    }

    void append(long from, List<LoggedChange> fetched, long generation) {
      if (!initialized()
          || from != last()
          || (!fetched.isEmpty() && fetched.get(0).serverSeq() != from + 1)) {
        // First fill, or the log was compacted under us: start a new window here.
        rows.clear();
        chars = 0;
        base = fetched.isEmpty() ? from : fetched.get(0).serverSeq() - 1;
      }
      rows.addAll(fetched);
      for (LoggedChange change : fetched) {
        chars += change.deltaJson().length();
      }
      fetchedGeneration = fetched.size() == FETCH ? fetchedGeneration : generation;
      int drop = 0;
      long dropped = 0;
      while (drop < rows.size() && (rows.size() - drop > maxRows || chars - dropped > maxChars)) {
        dropped += rows.get(drop).deltaJson().length();
        drop++;
      }
      if (drop > 0) {
        chars -= dropped;
        rows.subList(0, drop).clear();
        base += drop;
      }
    }
  }
}
