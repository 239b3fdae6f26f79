package dev.converge.server.sync;

import dev.converge.server.changeset.ChangeLogReader;
import dev.converge.server.document.SnapshotReader;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Runs each read query once at start-up, before the server reports itself started.
 *
 * <p>The first execution of a query builds its SQL plan and loads much of Hibernate's query
 * machinery; on an event loop that blocked it for seconds on the first push of a fresh server. The
 * queries are named (parsed at boot); this warm-up pays for the rest while nobody waits. They read
 * a space that cannot exist, so nothing is changed and nothing is found.
 */
@ApplicationScoped
public class QueryWarmUp {

  private static final Logger LOG = Logger.getLogger(QueryWarmUp.class);

  /** Not a valid space id (ids are never blank), so the reads find nothing. */
  private static final String NO_SPACE = " ";

  private final ChangeLogReader log;
  private final SnapshotReader docs;
  private final Maintenance maintenance;

  QueryWarmUp(ChangeLogReader log, SnapshotReader docs, Maintenance maintenance) {
    this.log = log;
    this.docs = docs;
    this.maintenance = maintenance;
  }

  /**
   * After the schema migration, before start-up completes. The warm-up is an optimisation: a
   * database connection dropped while it runs (a failover, a pooler restart) costs the first push
   * its speed, not the node its start, so a failure is one warning line and the start goes on.
   */
  void warmUp(@Observes @Priority(20) StartupEvent event) throws InterruptedException {
    long started = System.nanoTime();
    CompletableFuture<Void> done = new CompletableFuture<>();
    maintenance.onSafeContext(
        () -> run().subscribe().with(ok -> done.complete(null), done::completeExceptionally));
    try {
      done.get(Duration.ofMinutes(1).toSeconds(), TimeUnit.SECONDS);
      LOG.debugf(
          "Query warm-up took %d ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      LOG.warnf(
          "Query warm-up skipped (%s: %s); the first requests pay for it instead",
          cause.getClass().getSimpleName(), cause.getMessage());
    }
  }

  private Uni<Void> run() {
    return log.read(NO_SPACE, 0, 1)
        .chain(() -> log.head(NO_SPACE))
        .chain(() -> log.heads(List.of(NO_SPACE, NO_SPACE + NO_SPACE)))
        .chain(() -> docs.page(NO_SPACE, null, null, 1))
        .chain(() -> docs.page(NO_SPACE, "c", "d", 1))
        .chain(() -> docs.find(NO_SPACE, "c", "d"))
        .chain(() -> maintenance.retainedChanges())
        .replaceWithVoid();
  }
}
