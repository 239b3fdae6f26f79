package dev.converge.core.server;

import dev.converge.core.crdt.Document;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The decoded documents behind the states the push rules wrote last, so that the next push into a
 * document joins into the document in memory instead of parsing its stored text again (parsing was
 * the largest single cost of a push: docs/benchmarks.md, "Where a push's time goes").
 *
 * <p>An entry is used only when the stored text read back is exactly the text its document was
 * encoded to. A write that did not commit, another node's write, a repair or a compaction leaves
 * other text, and the entry is dropped: the cache can make a push cheaper, never different.
 *
 * <p>A decision joins into the documents it reads, so an entry is handed to one decision at a time:
 * {@link #take} removes it, and {@link #keep} puts back the document with the text it was encoded
 * to. Bounded by the length of the texts held (least recently used out first); a document whose
 * text alone exceeds a quarter of the bound is not kept. Thread-safe.
 */
public final class DecodedStates {

  private final long maxChars;
  private final Map<DocumentRef, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
  private long chars;
  private long hits;
  private long misses;

  private record Entry(String json, Document document) {}

  /**
   * Creates a cache holding stored texts of at most {@code maxChars} characters in all; 0 keeps
   * nothing.
   *
   * @throws IllegalArgumentException if {@code maxChars} is negative
   */
  public DecodedStates(long maxChars) {
    if (maxChars < 0) {
      throw new IllegalArgumentException("maxChars < 0: " + maxChars);
    }
    this.maxChars = maxChars;
  }

  /** A cache that keeps nothing: every stored state is decoded. */
  public static DecodedStates none() {
    return new DecodedStates(0);
  }

  /**
   * Takes out the document kept for {@code ref} if it was encoded to exactly {@code json}; returns
   * null (and drops any entry) otherwise. The caller owns the returned document.
   */
  synchronized Document take(DocumentRef ref, String json) {
    Entry entry = entries.remove(ref);
    if (entry == null) {
      misses++;
      return null;
    }
    chars -= entry.json.length();
    // Identity first: within a batch the text handed back is the very string encoded.
    if (entry.json == json || entry.json.equals(json)) {
      hits++;
      return entry.document;
    }
    misses++;
    return null;
  }

  /**
   * Keeps {@code document} for {@code ref}, as encoded to {@code json}. The caller hands the
   * document over: it must not change it afterwards.
   */
  synchronized void keep(DocumentRef ref, String json, Document document) {
    Entry old = entries.remove(ref);
    if (old != null) {
      chars -= old.json.length();
    }
    if (json.length() > maxChars / 4) {
      return;
    }
    entries.put(ref, new Entry(json, document));
    chars += json.length();
    Iterator<Entry> eldest = entries.values().iterator();
    while (chars > maxChars && eldest.hasNext()) {
      chars -= eldest.next().json.length();
      eldest.remove();
    }
  }

  /** Returns how many documents are kept. */
  public synchronized int size() {
    return entries.size();
  }

  /** Returns the total length of the texts kept, in characters. */
  public synchronized long chars() {
    return chars;
  }

  /** Returns how many reads found their document kept, encoded to the text read. */
  public synchronized long hits() {
    return hits;
  }

  /** Returns how many reads had to decode the stored text. */
  public synchronized long misses() {
    return misses;
  }
}
