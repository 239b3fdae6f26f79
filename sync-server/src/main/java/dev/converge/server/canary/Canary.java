package dev.converge.server.canary;

import dev.converge.sdk.ListenerToken;
import dev.converge.sdk.SyncClient;
import dev.converge.server.metrics.AntiEntropyMetrics;
import dev.converge.server.space.SpaceGrants;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Synthetic monitoring (docs/operations.md "Canary"): every {@link CanarySettings#interval()} one
 * SDK replica writes a fresh value into the reserved canary space and the time until a second
 * replica sees it is recorded as {@code converge_canary_lag_seconds}; a round not seen within
 * {@link CanarySettings#timeout()} counts in {@code converge_canary_failures_total}.
 *
 * <p>Both replicas are real SDK clients with SQLite files in a temporary directory (deleted at
 * shutdown). By default both connect to this node over loopback; {@link
 * CanarySettings#readerServerUri()} sends the reader to another node, so that a round measures the
 * path between nodes. Either way a round measures the whole path: push, commit, PostgreSQL
 * notification, fan-out, the reader's store. Rounds run one at a time on a thread of their own,
 * never on the event loop; a slow round delays the next instead of piling up.
 */
@ApplicationScoped
public class Canary {

  private static final Logger LOG = Logger.getLogger(Canary.class);

  /** The document the rounds write; one register, overwritten, so the space stays one document. */
  static final String DOCUMENT = "probe";

  private final CanarySettings settings;
  private final AntiEntropyMetrics metrics;
  private final String issuer;
  private final String audience;
  private final Path dataDir;
  private final int port;
  private final String node = UUID.randomUUID().toString().substring(0, 8);

  private ScheduledExecutorService rounds;
  private Path dir;
  private SyncClient writer;
  private SyncClient reader;
  private long round;

  Canary(
      CanarySettings settings,
      AntiEntropyMetrics metrics,
      @ConfigProperty(name = "converge.jwt.issuer") String issuer,
      @ConfigProperty(name = "converge.jwt.audience") String audience,
      @ConfigProperty(name = "converge.data-dir") Path dataDir,
      @ConfigProperty(name = "quarkus.http.port") int port) {
    this.settings = settings;
    this.metrics = metrics;
    this.issuer = issuer;
    this.audience = audience;
    this.dataDir = dataDir;
    this.port = port;
  }

  /**
   * Starts the rounds; the first comes one interval after start-up, and the replicas connect (with
   * their backoff) once the HTTP server listens.
   */
  // After the default observers (the development key pair is created by one of them).
  synchronized void start(
      @Observes
          @jakarta.annotation.Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 900)
          StartupEvent started) {
    if (!settings.enabled() || rounds != null) {
      return;
    }
    URI server = URI.create(settings.serverUri().orElse("ws://127.0.0.1:" + port + "/v1/sync"));
    URI readerServer = settings.readerServerUri().map(URI::create).orElse(server);
    CanaryCredential credential =
        settings
            .tokenLocation()
            .map(file -> CanaryCredential.fromFile(Path.of(file)))
            .orElseGet(
                () ->
                    CanaryCredential.minting(
                        Path.of(
                            settings
                                .signingKeyLocation()
                                .orElse(dataDir.resolve("dev-jwt-private.pem").toString())),
                        issuer,
                        audience));
    try {
      dir = Files.createTempDirectory("converge-canary-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the canary's directory", e);
    }
    writer = client(server, credential, "writer");
    reader = client(readerServer, credential, "reader");
    rounds =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "converge-canary");
              t.setDaemon(true);
              return t;
            });
    long interval = settings.interval().toMillis();
    rounds.scheduleWithFixedDelay(this::round, interval, interval, TimeUnit.MILLISECONDS);
    LOG.infof(
        "Canary on: a round every %s, written through %s, read through %s",
        settings.interval(), server, readerServer);
  }

  private SyncClient client(URI server, CanaryCredential credential, String name) {
    return SyncClient.builder()
        .databasePath(dir.resolve(name + ".db"))
        .serverUri(server)
        .tokenSupplier(credential::token)
        .replicaName("canary-" + node + "-" + name)
        .backoff(Duration.ofMillis(200), Duration.ofSeconds(5))
        .subscribe(SpaceGrants.CANARY_SPACE)
        .build()
        .connect();
  }

  /** One round: write a fresh marker, wait until the reader holds it. */
  void round() {
    String marker = node + ":" + (++round);
    CompletableFuture<Long> seen = new CompletableFuture<>();
    ListenerToken listening =
        reader
            .profile(SpaceGrants.CANARY_SPACE, DOCUMENT)
            .addChangeListener(
                event -> {
                  if (holds(marker)) {
                    seen.complete(System.nanoTime());
                  }
                });
    try {
      long start = System.nanoTime();
      writer.profile(SpaceGrants.CANARY_SPACE, DOCUMENT).set(node, marker);
      if (holds(marker)) {
        seen.complete(System.nanoTime());
      }
      long at = seen.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
      metrics.canaryLag(Duration.ofNanos(at - start));
    } catch (TimeoutException e) {
      LOG.warnf("Canary round %s not seen within %s", marker, settings.timeout());
      metrics.canaryFailed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | RuntimeException e) {
      LOG.warnf("Canary round %s failed: %s", marker, e);
      metrics.canaryFailed();
    } finally {
      listening.remove();
    }
  }

  private boolean holds(String marker) {
    return reader
        .profile(SpaceGrants.CANARY_SPACE, DOCUMENT)
        .getString(node)
        .map(marker::equals)
        .orElse(false);
  }

  /** Stops the rounds, closes both replicas and deletes their files. */
  synchronized void stop(@Observes ShutdownEvent event) {
    if (rounds == null) {
      return;
    }
    rounds.shutdownNow();
    try {
      rounds.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.close();
    reader.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warnf("Canary files in %s not deleted: %s", dir, e);
    }
    rounds = null;
  }

  /** The directory of the replicas' SQLite files, or null when the canary is off. */
  Path directory() {
    return dir;
  }
}
