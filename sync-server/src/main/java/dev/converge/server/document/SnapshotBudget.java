package dev.converge.server.document;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.List;

/**
 * The byte budget of a snapshot page: how many documents, in order, fit into it.
 *
 * <p>The rule: a page takes documents in (collection, docId) order while the sum of their entry
 * sizes stays within the budget; a document whose entry alone exceeds the budget goes alone on its
 * page, so paging always advances. An entry's size is its UTF-8 length in the page's JSON ({@code
 * {"collection":…,"docId":…,"state":…},}), exact for the WebSocket frame and the REST body alike,
 * which both write the stored state as it is.
 *
 * <p>Stateless and thread-safe.
 */
public final class SnapshotBudget {

  /** The bytes of an entry beyond its three values: {@code {"collection":,"docId":,"state":},}. */
  static final int ENTRY_OVERHEAD = 34;

  private SnapshotBudget() {}

  /**
   * Returns the size of a document's entry in a snapshot page.
   *
   * @param stateBytes the UTF-8 length of the stored state
   * @return the entry's size in bytes
   */
  public static long entryBytes(String collection, String docId, long stateBytes) {
    return ENTRY_OVERHEAD + quotedBytes(collection) + quotedBytes(docId) + stateBytes;
  }

  /**
   * Returns how many of {@code entries}, taken from the first, fit into {@code budget}: at least
   * one when there is any, since a document bigger than the budget goes alone on its page.
   *
   * @param entries entry sizes in page order
   * @param budget the page's byte budget
   * @return a count within 0..entries.size(), 0 only for no entries
   */
  public static int fit(List<Long> entries, long budget) {
    long used = 0;
    for (int i = 0; i < entries.size(); i++) {
      used += entries.get(i);
      if (used > budget) {
        return Math.max(1, i);
      }
    }
    return entries.size();
  }

  /** Returns the UTF-8 length of {@code text} without encoding it. */
  public static long utf8Length(CharSequence text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  private static int quotedBytes(String text) {
    return JsonStringEncoder.getInstance().quoteAsUTF8(text).length + 2;
  }
}
