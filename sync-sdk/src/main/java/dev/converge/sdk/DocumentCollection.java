package dev.converge.sdk;

import dev.converge.sdk.internal.store.StoredDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * One collection of one space in the local replica (Couchbase Lite's {@code Collection}): its
 * document ids, simple queries served from SQLite, and a change listener for all its documents.
 * Reads see every committed local write and every remote change applied so far, online or not.
 *
 * <p>Thread-safe; a cheap handle (holds no data).
 */
public final class DocumentCollection {

  /** The most ids {@link #ids(String, int)} returns at once. */
  public static final int MAX_PAGE = 1000;

  private final ClientCore client;
  private final String space;
  private final String name;

  DocumentCollection(ClientCore client, String space, String name) {
    DocumentKey.requireName(space, "space");
    DocumentKey.requireName(name, "collection");
    this.client = client;
    this.space = space;
    this.name = name;
  }

  /** Returns the space. */
  public String space() {
    return space;
  }

  /** Returns the collection's name. */
  public String name() {
    return name;
  }

  /**
   * Returns up to {@code limit} document ids after {@code afterDocId} (null for the first page), in
   * id order: page through a large collection by passing the last id of a page.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} unless {@code 1 <= limit <=} {@value
   *     #MAX_PAGE}; {@code CLOSED} if the client is closed
   */
  public List<String> ids(String afterDocId, int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new SyncException(
          SyncException.Code.INVALID_ARGUMENT,
          "limit must be within 1.." + MAX_PAGE + ", got " + limit);
    }
    return client.storeRead(store -> store.documentIds(space, name, afterDocId, limit));
  }

  /**
   * Runs {@code query} on this collection.
   *
   * @return the matching documents in the query's order, at most its limit
   * @throws SyncException with {@code INVALID_ARGUMENT} if the query is null; {@code CLOSED} if the
   *     client is closed
   */
  public List<CollectionDocument> query(Query query) {
    ClientCore.requireNonNull(query, "query");
    List<StoredDocument> found = client.storeRead(store -> store.query(query.on(space, name)));
    List<CollectionDocument> docs = new ArrayList<>(found.size());
    for (StoredDocument doc : found) {
      docs.add(new CollectionDocument(doc.key(), PlainValues.fields(doc.state().toJson())));
    }
    return docs;
  }

  /** Returns the first documents in id order (at most {@value Query#DEFAULT_LIMIT}). */
  public List<CollectionDocument> documents() {
    return query(Query.all());
  }

  /** Listens to committed changes of every document of this collection (listener thread). */
  public ListenerToken addChangeListener(ChangeListener listener) {
    return client.listeners.collection(space, name, listener);
  }

  /** Listens to committed changes of every document of this collection, on {@code executor}. */
  public ListenerToken addChangeListener(Executor executor, ChangeListener listener) {
    return client.listeners.collection(space, name, executor, listener);
  }

  @Override
  public String toString() {
    return space + "/" + name;
  }
}
