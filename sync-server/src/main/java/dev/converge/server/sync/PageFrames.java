package dev.converge.server.sync;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.server.changeset.LoggedChange;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code changes} frames of this node, built once per page of a space's log and shared by every
 * session at that cursor: decoding the logged deltas, joining them into delta-groups and encoding
 * the frame is the same work for each session that follows the space, so it is done once and the
 * same text goes to all of them.
 *
 * <p>A page is named by its space, its cursor ({@code from}), its last change, whether more follows
 * and the size the frame must stay within; log rows never change once committed (compaction only
 * deletes them, and the feeds notice a compacted cursor before asking here), so the frame of a name
 * never changes either. What a session may see is decided before it asks (it follows only spaces
 * its token grants), and a frame names its space, so sharing crosses no space.
 *
 * <p>Bounded: at most {@code maxEntries} frames and {@code maxChars} characters are kept, least
 * recently used dropped first; a frame bigger than the whole character budget is built and returned
 * but not kept. Concurrent sessions asking for the same page wait for one build. Thread-safe.
 */
@ApplicationScoped
public class PageFrames {

  /** Frames kept, by default: a few pages of each of many busy spaces. */
  static final int MAX_ENTRIES = 256;

  /** Characters of frames kept, by default (about 32 MiB of heap at 2 bytes per character). */
  static final long MAX_CHARS = 16L * 1024 * 1024;

  private final ProtocolCodec codec;
  private final int maxEntries;
  private final long maxChars;
  private final LinkedHashMap<Key, Slot> slots = new LinkedHashMap<>(64, 0.75f, true);
  private final AtomicLong builds = new AtomicLong();
  private long chars;

  @Inject
  PageFrames(ProtocolCodec codec) {
    this(codec, MAX_ENTRIES, MAX_CHARS);
  }

  PageFrames(ProtocolCodec codec, int maxEntries, long maxChars) {
    this.codec = codec;
    this.maxEntries = maxEntries;
    this.maxChars = maxChars;
  }

  /**
   * A frame ready to send.
   *
   * @param text the encoded {@code changes} frame
   * @param count how many of the page's changes it carries (a prefix: the rest are read again)
   * @param to the serverSeq of its last change
   * @param more whether more changes follow it
   */
  record Page(String text, int count, long to, boolean more) {}

  private record Key(String space, long from, long last, boolean more, long share) {}

  /** One frame's place in the cache; built by the first session that asks. */
  private static final class Slot {
    Page page;
    boolean counted;
  }

  /**
   * Returns the {@code changes} frame of {@code items} (the page after {@code from}, in order, not
   * empty), building it if no session built it yet. A frame larger than {@code share} characters
   * (UTF-8 bytes) is cut in halves until it fits or carries one change.
   */
  Page page(String space, long from, List<LoggedChange> items, boolean more, long share) {
    Key key = new Key(space, from, items.get(items.size() - 1).serverSeq(), more, share);
    Slot slot;
    synchronized (this) {
      slot = slots.computeIfAbsent(key, k -> new Slot());
    }
    Page page;
    synchronized (slot) {
      if (slot.page == null) {
        slot.page = build(space, from, items, more, share);
      }
      page = slot.page;
    }
    synchronized (this) {
      if (!slot.counted && slots.get(key) == slot) {
        slot.counted = true;
        chars += page.text().length();
      }
      evict(key, slot);
    }
    return page;
  }

  /** Frames built since start (each page once while it stays cached). */
  long builds() {
    return builds.get();
  }

  /** Frames kept now. */
  synchronized int size() {
    return slots.size();
  }

  /** Characters of the frames kept now. */
  synchronized long chars() {
    return chars;
  }

  /**
   * Drops least recently used frames until both bounds hold, {@code latest} last: it goes only if
   * it alone is over the character budget.
   */
  private void evict(Key latest, Slot own) {
    if (own.counted && own.page.text().length() > maxChars) {
      drop(latest);
    }
    // Entries, not keys: a get() would reorder the access-ordered map under the iterator.
    Iterator<Map.Entry<Key, Slot>> it = slots.entrySet().iterator();
    while ((slots.size() > maxEntries || chars > maxChars) && it.hasNext()) {
      Map.Entry<Key, Slot> eldest = it.next();
      if (eldest.getKey().equals(latest)) {
        continue;
      }
      Slot gone = eldest.getValue();
      it.remove();
      if (gone.counted) {
        chars -= gone.page.text().length();
      }
    }
  }

  private void drop(Key key) {
    Slot gone = slots.remove(key);
    if (gone != null && gone.counted) {
      chars -= gone.page.text().length();
    }
  }

  private Page build(String space, long from, List<LoggedChange> items, boolean more, long share) {
    builds.incrementAndGet();
    long to = items.get(items.size() - 1).serverSeq();
    String frame = encode(space, from, to, items, more);
    // A page too big for a session's share of its budget goes out in halves; the rest is read
    // again.
    while (items.size() > 1 && Outbound.sizeOf(frame) > share) {
      items = items.subList(0, items.size() / 2);
      more = true;
      to = items.get(items.size() - 1).serverSeq();
      frame = encode(space, from, to, items, more);
    }
    return new Page(frame, items.size(), to, more);
  }

  private String encode(String space, long from, long to, List<LoggedChange> items, boolean more) {
    return codec.encode(
        new Message.Changes(
            space,
            from,
            to,
            DeltaGroups.group(items, codec),
            more,
            // The chain at `to`: the client keeps it with its cursor and names it in hello.
            items.get(items.size() - 1).chain()));
  }
}
