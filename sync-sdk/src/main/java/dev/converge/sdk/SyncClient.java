package dev.converge.sdk;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The Converge client: a local replica of the app's documents in one SQLite file, kept in sync with
 * the server in the background.
 *
 * <p>Every write is local first: it is committed to the local database (document state and outbox
 * together, in one transaction) and visible to reads at once, online or not. A background thread
 * pushes the outbox to the server, applies changes from other devices, and reconnects with backoff.
 *
 * <pre>{@code
 * try (SyncClient client = SyncClient.builder()
 *         .databasePath(Path.of("app-data/converge.db"))
 *         .serverUri(URI.create("wss://sync.example.com/v1/sync"))
 *         .tokenSupplier(auth::currentJwt)
 *         .subscribe("user:alice")
 *         .build()           // opens the local file: reads and writes work offline
 *         .connect()) {      // starts syncing in the background
 *   Cart cart = client.cart("user:alice", "main");
 *   cart.add("sku-42", 2);                         // visible now, synced later
 *   cart.addChangeListener(e -> refresh(cart.items()));
 *   client.syncNow(Duration.ofSeconds(10)).join(); // confirmed by the server
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Thread-safe: reads and writes may come from any thread and are serialized on
 * the local database. Listeners run on the executor given at registration, by default the client's
 * single listener thread (so they see events in commit order), never on the writing thread. Network
 * work and the token supplier run on the client's sync thread.
 *
 * <p><b>Errors.</b> Every method throws only {@link SyncException}, with a stable {@link
 * SyncException.Code}.
 */
public final class SyncClient implements AutoCloseable {

  /** Collection of the documents {@link #cart} opens. */
  public static final String CARTS = "carts";

  /** Collection of the documents {@link #profile} opens. */
  public static final String PROFILES = "profiles";

  private final ClientCore core;
  private final SyncControl control;
  private final ClientListeners listeners;

  private SyncClient(Builder b) {
    this.core = new ClientCore(b);
    this.control = new SyncControl(core);
    this.listeners = core.listeners;
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns this replica's current id (it changes if the database turns out to be a copy). */
  public String replicaId() {
    return core.storeRead(store -> store.replica().replicaId());
  }

  // ---- document handles ----------------------------------------------------------------------

  /**
   * Returns the shopping cart {@code cartId} of {@code space} (collection {@value #CARTS}).
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if an argument is blank
   */
  public Cart cart(String space, String cartId) {
    return new Cart(core, new DocumentKey(space, CARTS, cartId));
  }

  /**
   * Returns the profile {@code profileId} of {@code space} (collection {@value #PROFILES}).
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if an argument is blank
   */
  public Profile profile(String space, String profileId) {
    return new Profile(core, new DocumentKey(space, PROFILES, profileId));
  }

  /**
   * Returns a document of an app-defined collection whose fields follow {@code schema}.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if an argument is blank or null
   */
  public DocumentHandle document(String space, String collection, String docId, Schema schema) {
    if (schema == null) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "schema is null");
    }
    return new DocumentHandle(core, new DocumentKey(space, collection, docId), schema);
  }

  /**
   * Returns a collection of a space: its document ids, queries served from SQLite, a change
   * listener.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if an argument is null or blank
   */
  public DocumentCollection collection(String space, String collection) {
    return new DocumentCollection(core, space, collection);
  }

  /**
   * Returns the top-level fields of any document as plain, unmodifiable values (registers as their
   * last-writer-wins value, counters as {@link Long}, sets as lists, maps as maps; see {@link
   * FieldValue#value()}), or empty if this replica has never seen it.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the key is null
   */
  public Optional<Map<String, Object>> readFields(DocumentKey key) {
    requireNonNull(key, "key");
    return core.read(
        key,
        doc ->
            doc.isEmpty()
                ? Optional.<Map<String, Object>>empty()
                : Optional.of(PlainValues.fields(doc.toJson())));
  }

  // ---- listeners -----------------------------------------------------------------------------

  /** Listens to committed changes of one document, on the client's listener thread. */
  public ListenerToken addDocumentListener(DocumentKey key, ChangeListener listener) {
    return listeners.document(key, listener);
  }

  /**
   * Listens to committed changes of one document, called on {@code executor}.
   *
   * @return a token that unregisters the listener
   * @throws SyncException with {@code INVALID_ARGUMENT} if an argument is null
   */
  public ListenerToken addDocumentListener(
      DocumentKey key, Executor executor, ChangeListener listener) {
    return listeners.document(key, executor, listener);
  }

  /**
   * Listens to committed changes of every document of a collection, on the client's listener
   * thread.
   */
  public ListenerToken addCollectionListener(
      String space, String collection, ChangeListener listener) {
    return listeners.collection(space, collection, listener);
  }

  /**
   * Listens to committed changes of every document of a collection, called on {@code executor}.
   *
   * @return a token that unregisters the listener
   * @throws SyncException with {@code INVALID_ARGUMENT} if an argument is null or blank
   */
  public ListenerToken addCollectionListener(
      String space, String collection, Executor executor, ChangeListener listener) {
    return listeners.collection(space, collection, executor, listener);
  }

  /** Listens to status changes, on the client's listener thread. */
  public ListenerToken addStatusListener(StatusListener listener) {
    return listeners.status(listener);
  }

  /**
   * Listens to status changes, called on {@code executor}.
   *
   * @return a token that unregisters the listener
   */
  public ListenerToken addStatusListener(Executor executor, StatusListener listener) {
    return listeners.status(executor, listener);
  }

  /**
   * Listens to local changes the server rejects (or that a revocation drops), on the client's
   * listener thread. The changes are also kept in {@link #rejectedChanges()}.
   */
  public ListenerToken addRejectionListener(Consumer<List<RejectedChange>> listener) {
    return listeners.rejections(listener);
  }

  // ---- sync control --------------------------------------------------------------------------

  /** Returns the current sync status; never blocks on the network. */
  public SyncStatus status() {
    return control.status();
  }

  /** Same as {@link #syncNow(Duration)} with a 30 second timeout. */
  public CompletableFuture<Void> syncNow() {
    return syncNow(ClientDefaults.SYNC_TIMEOUT);
  }

  /**
   * Returns a future that completes once every change committed before this call is acknowledged by
   * the server and every subscribed space has caught up with the server's head: the "confirmed
   * write" path. It completes exceptionally with a {@link SyncException} of code {@code TIMEOUT}
   * after {@code timeout}, {@code REJECTED} if the server refused one of the changes meanwhile, or
   * {@code CLOSED} if the client closes first. While offline or paused it waits for the connection.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the timeout is null or not positive
   */
  public CompletableFuture<Void> syncNow(Duration timeout) {
    return control.syncNow(timeout);
  }

  /**
   * Starts syncing in the background: connects, pushes the outbox, follows the subscribed spaces
   * and reconnects with backoff until {@link #disconnect()} or {@link #close()}. A client is built
   * disconnected ({@link ConnectionState#DISCONNECTED}): reads and writes work locally before this
   * call. Does nothing for a client without a server, or one already connected.
   *
   * @return this client, so {@code builder()...build().connect()} reads as one step
   * @throws SyncException with {@code CLOSED} if the client is closed
   */
  public SyncClient connect() {
    control.connect();
    return this;
  }

  /**
   * Stops syncing: ends the session and stays {@link ConnectionState#DISCONNECTED} (writes still
   * work locally and wait in the outbox) until {@link #connect()}. Returns once the session is
   * ended.
   *
   * @throws SyncException with {@code CLOSED} if the client is closed
   */
  public void disconnect() {
    control.disconnect();
  }

  /** Disconnects and stays offline (writes still work locally) until {@link #resume()}. */
  public void pause() {
    control.pause();
  }

  /** Reconnects after {@link #pause()}. */
  public void resume() {
    control.resume();
  }

  /** Returns the local changes the server rejected, oldest first; they are never resent. */
  public List<RejectedChange> rejectedChanges() {
    return control.rejectedChanges();
  }

  /** Forgets a rejected change once the app has dealt with it; returns whether it existed. */
  public boolean dismissRejected(long id) {
    return control.dismissRejected(id);
  }

  /**
   * Stops syncing, lets queued listener calls run (up to 2 seconds), and closes the local database.
   * Unsent changes stay in the outbox for the next start. Idempotent.
   */
  @Override
  public void close() {
    core.close();
  }

  /**
   * Runs {@code writes} as one local transaction: every write made through this client's handles
   * inside it commits together, or none does (if {@code writes} throws, the exception is rethrown,
   * wrapped in a {@link SyncException} unless it is one, and nothing is kept). Reads inside see the
   * batch's own writes. Each write is still its own changeset in the outbox; listeners fire once
   * per changed document after the commit. Other threads' reads and writes wait until the batch
   * ends, so keep it short and free of I/O.
   *
   * @throws SyncException with {@code CLOSED} if the client is closed
   */
  public void batch(Runnable writes) {
    core.batch(writes);
  }

  // ---- subscriptions and logout --------------------------------------------------------------

  /**
   * Follows {@code space} from now on, as if the builder had subscribed to it: when connected the
   * server is asked at once ({@code subscribe}); a space the token does not grant shows as
   * forbidden in {@link SyncStatus#spaces()}. Subscriptions are not stored: subscribe again after
   * each start (the space's local data stays until {@link #unsubscribe}). Idempotent.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the space is null or blank; {@code
   *     CLOSED} if the client is closed
   */
  public void subscribe(String space) {
    DocumentKey.requireName(space, "space");
    control.subscribe(space);
  }

  /** Same as {@link #unsubscribe(String, UnsentChanges)} with {@link UnsentChanges#REFUSE}. */
  public void unsubscribe(String space) {
    unsubscribe(space, UnsentChanges.REFUSE);
  }

  /**
   * Stops following {@code space} and drops its local data through the purge (documents, cursor,
   * pending re-reads); when connected the server is told ({@code unsubscribe}) and the replica
   * leaves the space's live set. If the purge removed this replica's own writes, the replica id is
   * retired (a new one carries on, and the old one leaves every live set). Listeners of the space's
   * documents hear of the removal. Returns once the purge has committed.
   *
   * @param unsent what to do with unsent changes of the space: {@link UnsentChanges#REFUSE} throws,
   *     {@link UnsentChanges#DISCARD} turns them into {@link #rejectedChanges() rejected changes}
   *     with code {@code unsubscribed}
   * @throws SyncException with {@code UNSENT_CHANGES} (nothing changed) if the space has unsent
   *     changes and {@code unsent} is {@code REFUSE}; {@code INVALID_ARGUMENT} if an argument is
   *     null or blank; {@code STORAGE} if the purge did not complete; {@code CLOSED} if the client
   *     is closed
   */
  public void unsubscribe(String space, UnsentChanges unsent) {
    DocumentKey.requireName(space, "space");
    requireNonNull(unsent, "unsent");
    core.ensureOpen();
    LogoutSteps.unsubscribe(core, space, unsent);
  }

  /**
   * Logs out: leaves nothing of the user on the device. Every space is unsubscribed (the server is
   * told when connected, so the replica leaves every live set) and purged, the client closes, and
   * the database file is deleted with its {@code -wal}, {@code -shm} and {@code -journal} files,
   * which retires the replica id for good (the next client on this path starts a new replica). The
   * client is closed afterwards; build a new one for the next user. Offline (or if the session
   * drops first) the server is not told: the retired replica stays in the live sets until the
   * retention horizon passes it, holding counter compaction of its spaces back until then.
   *
   * @param unsent {@link UnsentChanges#REFUSE}: throw if any change is unsent (sync first); {@link
   *     UnsentChanges#DISCARD}: drop them
   * @return the changes that were never acknowledged, handed back to the app (code {@code
   *     unsubscribed}) together with the rejected changes not yet dismissed; empty when there were
   *     none. They exist only in this list once the call returns.
   * @throws SyncException with {@code UNSENT_CHANGES} (nothing changed, the client stays open) if a
   *     change is unsent and {@code unsent} is {@code REFUSE}; {@code STORAGE} if a file could not
   *     be deleted; {@code CLOSED} if the client is closed
   */
  public List<RejectedChange> clearLocalData(UnsentChanges unsent) {
    requireNonNull(unsent, "unsent");
    core.ensureOpen();
    return LogoutSteps.clear(core, unsent);
  }

  /** Same as {@link #clearLocalData(UnsentChanges)} with {@link UnsentChanges#REFUSE}. */
  public List<RejectedChange> clearLocalData() {
    return clearLocalData(UnsentChanges.REFUSE);
  }

  private static void requireNonNull(Object value, String name) {
    ClientCore.requireNonNull(value, name);
  }

  /**
   * Builds a {@link SyncClient}. Only the database path is required; without a server URI the
   * client works locally only. Defaults: batch size 100, reconnect backoff 0.5 s doubling up to 60
   * s with jitter, commits durable against application crashes (not OS crashes), the system clock
   * with a max clock offset of 24 hours, and one listener thread owned by the client. Not
   * thread-safe.
   */
  public static final class Builder extends ClientOptions<Builder> {

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * Opens the local database; the client works offline until {@link SyncClient#connect()}.
     *
     * @throws SyncException with {@code INVALID_ARGUMENT} unless exactly one of the database path
     *     and the database opener is set, or if a server URI is set without a token supplier;
     *     {@code STORAGE} if the database cannot be opened
     */
    public SyncClient build() {
      checkComplete();
      return new SyncClient(this);
    }
  }
}
