package dev.converge.server.sync;

import dev.converge.server.changeset.PushService;
import dev.converge.server.changeset.SpaceErasure;
import dev.converge.server.changeset.UserErasure;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Listens on PostgreSQL for commits made by any server node and wakes this node's sessions of the
 * committed space (DESIGN §4 fan-out). The notification carries only the space: each session then
 * reads the log from its own cursor, so a missed notification loses nothing; after a reconnect
 * every session is woken, and {@link Maintenance} polls heads as a safety net. An erasure of a
 * space ({@link SpaceErasure#CHANNEL}) revokes the space from this node's sessions that follow it;
 * an erasure of a user ({@link UserErasure#CHANNEL}) ends that user's sessions on this node.
 */
@ApplicationScoped
public class ChangeNotifier {

  private static final Logger LOG = Logger.getLogger(ChangeNotifier.class);

  private final Vertx vertx;
  private final SessionRegistry registry;
  private final ErasureGate erasures;
  private final PgConnectOptions options;
  private PgSubscriber subscriber;

  /** Set before a deliberate close, so that only an unexpected loss is reported. */
  private volatile boolean stopping;

  ChangeNotifier(
      Vertx vertx,
      SessionRegistry registry,
      ErasureGate erasures,
      @ConfigProperty(name = "converge.db.url") String url,
      @ConfigProperty(name = "quarkus.datasource.username") String user,
      @ConfigProperty(name = "quarkus.datasource.password") String password) {
    this.vertx = vertx;
    this.registry = registry;
    this.erasures = erasures;
    this.options = PgConnectOptions.fromUri(url).setUser(user).setPassword(password);
  }

  void start(@Observes StartupEvent event) {
    subscriber =
        PgSubscriber.subscriber(vertx, options)
            // Retry forever, once a second: the default policy never reconnects.
            .reconnectPolicy(attempts -> 1_000L);
    subscriber
        .channel(PushService.CHANNEL)
        .subscribeHandler(v -> registry.wakeAll())
        .handler(registry::wake);
    subscriber.channel(SpaceErasure.CHANNEL).handler(registry::revoke);
    subscriber.channel(UserErasure.CHANNEL).handler(erasures::userErased);
    subscriber.closeHandler(
        v -> {
          if (!stopping) {
            LOG.warn("Lost the LISTEN connection to PostgreSQL; reconnecting");
          }
        });
    subscriber
        .connect()
        .onFailure(e -> LOG.warnf("LISTEN connection failed (%s); retrying", e.getMessage()));
  }

  void stop(@Observes ShutdownEvent event) {
    stopping = true;
    if (subscriber != null) {
      subscriber.close();
    }
  }
}
