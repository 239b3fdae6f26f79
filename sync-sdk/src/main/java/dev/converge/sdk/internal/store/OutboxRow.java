package dev.converge.sdk.internal.store;

import dev.converge.sdk.DocumentKey;

/**
 * An unacknowledged local change.
 *
 * @param seq the replica's changeset number
 * @param key the document
 * @param hlc the write's timestamp, text form
 * @param deltaJson the delta, wire encoding
 */
public record OutboxRow(long seq, DocumentKey key, String hlc, String deltaJson) {}
