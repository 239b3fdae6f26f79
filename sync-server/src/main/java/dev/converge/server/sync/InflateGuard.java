package dev.converge.server.sync;

import io.netty.channel.ChannelPipeline;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Puts a {@link BoundedInflater} into the pipeline of every WebSocket upgrade of {@code /v1/sync},
 * before the handshake, so that no frame of the connection is ever inflated without a bound.
 *
 * <p>It goes in front of Vert.x's extension handler: the permessage-deflate decoder that handler
 * adds at the handshake then sits behind it and only sees frames already inflated. Reaching the
 * Netty pipeline needs Vert.x's internal {@link ConnectionBase}; an HTTP/1.1 upgrade is always one.
 */
@ApplicationScoped
public class InflateGuard {

  private static final String EXTENSION_HANDLER = "webSocketExtensionHandler";
  private static final String VERTX_HANDLER = "handler";

  private final int maxMessageBytes;

  InflateGuard(@ConfigProperty(name = "quarkus.websockets-next.server.max-message-size", defaultValue = "8388608")
      int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  void register(@Observes Filters filters) {
    // Early, so that it runs before the upgrade whatever the route order of the endpoint.
    filters.register(this::install, 1000);
  }

  private void install(RoutingContext rc) {
    if ("/v1/sync".equals(rc.normalizedPath()) && "websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
      HttpConnection connection = rc.request().connection();
      if (connection instanceof ConnectionBase base) {
        ChannelPipeline pipeline = base.channel().pipeline();
        if (pipeline.get(BoundedInflater.NAME) == null) {
          String before = pipeline.get(EXTENSION_HANDLER) != null ? EXTENSION_HANDLER : VERTX_HANDLER;
          if (pipeline.get(before) != null) {
            pipeline.addBefore(before, BoundedInflater.NAME, new BoundedInflater(maxMessageBytes));
          }
        }
      }
    }
    rc.next();
  }
}
