package dev.converge.sdk;

import static java.util.Objects.requireNonNull;

import dev.converge.sdk.internal.net.Transport;
import dev.converge.sdk.storage.SqlDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The settings of a {@link SyncClient} and their checks, behind {@link SyncClient.Builder}: each
 * setter refuses a bad value at once with {@code INVALID_ARGUMENT}, and {@link SyncClient} reads
 * the fields when it is built. Not thread-safe.
 *
 * @param <B> the builder type the setters return, for chaining
 */
abstract class ClientOptions<B extends ClientOptions<B>> {
  Path databasePath;
  SqlDatabase.Opener database;
  URI serverUri;
  TokenSupplier tokenSupplier;
  final Set<String> spaces = new LinkedHashSet<>();
  String replicaName;
  Executor listenerExecutor;
  Clock clock = Clock.systemUTC();
  int batchSize = ClientDefaults.BATCH_SIZE;
  boolean coalesceOutbox = true;
  Duration minBackoff = ClientDefaults.MIN_BACKOFF;
  Duration maxBackoff = ClientDefaults.MAX_BACKOFF;
  Duration digestInterval = ClientDefaults.DIGEST_INTERVAL;
  boolean durableCommits = ClientDefaults.DURABLE_COMMITS;
  Duration maxClockOffset = ClientDefaults.MAX_CLOCK_OFFSET;
  Transport transport;

  /**
   * Sets the SQLite file of this replica (created if absent), opened with sqlite-jdbc; this or
   * {@link #database} is required.
   */
  public B databasePath(Path path) {
    requireNonNull(path, "databasePath");
    this.databasePath = path;
    return self();
  }

  /**
   * Sets how the replica's SQLite database is opened, instead of {@link #databasePath}: on Android
   * {@code AndroidSqlDatabase.opener(context.getDatabasePath("converge.db"))} from the
   * sync-sdk-android module. The client owns what it opens and closes it.
   */
  public B database(SqlDatabase.Opener opener) {
    requireNonNull(opener, "database");
    this.database = opener;
    return self();
  }

  /**
   * Sets the server's WebSocket endpoint, such as {@code wss://sync.example.com/v1/sync}.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if the scheme is not ws, wss, http or https
   */
  public B serverUri(URI uri) {
    requireNonNull(uri, "serverUri");
    String scheme =
        uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!Set.of("ws", "wss", "http", "https").contains(scheme)) {
      throw new SyncException(
          SyncException.Code.INVALID_ARGUMENT,
          "serverUri scheme is not ws, wss, http or https: " + uri);
    }
    this.serverUri = uri;
    return self();
  }

  /** Sets where tokens come from; required with a server URI. Called again before expiry. */
  public B tokenSupplier(TokenSupplier supplier) {
    requireNonNull(supplier, "tokenSupplier");
    this.tokenSupplier = supplier;
    return self();
  }

  /** Subscribes to the changes of {@code space}, such as {@code user:alice}. */
  public B subscribe(String space) {
    DocumentKey.requireName(space, "space");
    spaces.add(space);
    return self();
  }

  /** Sets a readable name for this replica, used in thread names and logs. */
  public B replicaName(String name) {
    DocumentKey.requireName(name, "replicaName");
    this.replicaName = name;
    return self();
  }

  /** Sets the default executor of listeners (instead of the client's own listener thread). */
  public B listenerExecutor(Executor executor) {
    requireNonNull(executor, "listenerExecutor");
    this.listenerExecutor = executor;
    return self();
  }

  /** Sets the clock for timestamps, status and token refresh (for tests). */
  public B clock(Clock clock) {
    requireNonNull(clock, "clock");
    this.clock = clock;
    return self();
  }

  /**
   * Sets whether the never-sent local changes of one document are joined into one changeset
   * covering their seq range before a push (on by default; docs/protocol-2.md, "Seq ranges"). Off,
   * every local change travels as a changeset of its own, as before ranges: for servers that do not
   * serve ranges yet, and to measure what joining saves.
   */
  public B coalesceOutbox(boolean coalesce) {
    this.coalesceOutbox = coalesce;
    return self();
  }

  /**
   * Sets the most changesets sent in one push.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if {@code batchSize <= 0}
   */
  public B batchSize(int batchSize) {
    if (batchSize <= 0) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "batchSize <= 0");
    }
    this.batchSize = batchSize;
    return self();
  }

  /**
   * Sets the reconnect backoff: the first delay and the greatest.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if {@code min <= 0} or {@code max < min}
   */
  public B backoff(Duration min, Duration max) {
    requireNonNull(min, "min");
    requireNonNull(max, "max");
    if (min.isNegative() || min.isZero()) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "backoff min <= 0");
    }
    if (max.compareTo(min) < 0) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "backoff max < min");
    }
    this.minBackoff = min;
    this.maxBackoff = max;
    return self();
  }

  /**
   * Sets the time between two digest exchanges with the server (anti-entropy, docs/protocol-2.md
   * "Digests"): the first runs once a session is caught up, the next after each interval. An
   * exchange finds documents whose local state differs from the server's and repairs them both
   * ways. Default 30 seconds.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if {@code interval} is below 1 second
   */
  public B digestInterval(Duration interval) {
    requireNonNull(interval, "digestInterval");
    if (interval.compareTo(ClientDefaults.MIN_DIGEST_INTERVAL) < 0) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "digestInterval < 1 s");
    }
    this.digestInterval = interval;
    return self();
  }

  /**
   * Makes every commit wait for the disk ({@code synchronous=FULL}): writes survive an OS crash or
   * power loss too, at several times the write latency. By default commits survive application
   * crashes only.
   */
  public B durableCommits(boolean durable) {
    this.durableCommits = durable;
    return self();
  }

  /**
   * Sets how far ahead of this device's clock a timestamp from another device can move it. Register
   * writes are ordered by hybrid timestamps (only among concurrent writes: a write made after
   * seeing another always wins); a device adopts a remote timestamp only up to its own time plus
   * this offset, so a broken or hostile clock cannot drag every device into the far future. Larger
   * values keep devices whose clocks are that far apart ordering sensibly. Default 24 hours.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} if {@code offset < 0}
   */
  public B maxClockOffset(Duration offset) {
    requireNonNull(offset, "maxClockOffset");
    if (offset.isNegative()) {
      throw new SyncException(SyncException.Code.INVALID_ARGUMENT, "maxClockOffset < 0");
    }
    this.maxClockOffset = offset;
    return self();
  }

  /** Replaces the WebSocket transport (tests). */
  B transport(Transport transport) {
    this.transport = transport;
    return self();
  }

  /** Returns this builder as its own type. */
  abstract B self();

  /**
   * Checks the options that only make sense together, before anything is opened.
   *
   * @throws SyncException with {@code INVALID_ARGUMENT} unless exactly one of the database path and
   *     the database opener is set, or if a server URI is set without a token supplier
   */
  void checkComplete() {
    if ((databasePath == null) == (database == null)) {
      throw new SyncException(
          SyncException.Code.INVALID_ARGUMENT, "set exactly one of databasePath and database");
    }
    if (serverUri != null && tokenSupplier == null) {
      throw new SyncException(
          SyncException.Code.INVALID_ARGUMENT, "serverUri is set but tokenSupplier is not");
    }
  }
}
