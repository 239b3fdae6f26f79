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
 */
public record OutboxRow(
    long seq,
    DocumentKey key,
    String hlc,
    String deltaJson,
    long cursorAtWrite,
    String changesetJson) {}
