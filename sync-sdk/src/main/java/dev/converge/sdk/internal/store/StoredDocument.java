package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.sdk.DocumentKey;

/**
 * A document as a collection read found it.
 *
 * @param key the document
 * @param state its merged state (a private copy)
 */
public record StoredDocument(DocumentKey key, Document state) {}
