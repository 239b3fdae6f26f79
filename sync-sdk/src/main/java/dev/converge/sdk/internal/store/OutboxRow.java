package dev.converge.sdk.internal.store;

import dev.converge.sdk.DocumentKey;

/**
 * An unacknowledged local change.
 *
 * @param seq the replica's changeset number
 * @param key the document
 * @param hlc the write's timestamp, text form
 * @param deltaJson the delta, wire encoding
 * @param cursorAtWrite the cursor of the change's space when it was written (at most the head of a
 *     later snapshot): the delta's context holds every change of the space up to it
 * @param changesetJson the push-ready changeset, wire encoding: the bytes every push of this row
 *     carries (frozen once sent; rewritten only when a re-key renumbers the row)
 * @param toSeq the last seq the row covers: {@code seq}, or more once the unsent rows after it of
 *     the same document were joined into it (docs/protocol-2.md, "Seq ranges"); kept in the
 *     push-ready text, whose {@code toSeq} field it is
 */
public record OutboxRow(
    long seq,
    DocumentKey key,
    String hlc,
    String deltaJson,
    long cursorAtWrite,
    String changesetJson,
    long toSeq) {

  /** A row of one seq. */
  public OutboxRow(
      long seq,
      DocumentKey key,
      String hlc,
      String deltaJson,
      long cursorAtWrite,
      String changesetJson) {
    this(seq, key, hlc, deltaJson, cursorAtWrite, changesetJson, seq);
  }

  /**
   * The last seq a push-ready text covers: its {@code toSeq} field, which the codec writes right
   * after {@code seq} and only for a range; {@code seq} otherwise.
   */
  static long toSeqOf(String changesetJson, long seq) {
    String field = ",\"toSeq\":";
    int at = changesetJson.indexOf(field);
    int space = changesetJson.indexOf(",\"space\":");
    if (at < 0 || (space >= 0 && at > space)) {
      return seq; // one seq; or a "toSeq" inside the delta, after the header: not the range
    }
    int from = at + field.length();
    int to = from;
    while (to < changesetJson.length() && Character.isDigit(changesetJson.charAt(to))) {
      to++;
    }
    return Long.parseLong(changesetJson.substring(from, to));
  }
}
