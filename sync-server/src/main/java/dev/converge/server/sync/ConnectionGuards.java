package dev.converge.server.sync;

import io.netty.channel.ChannelPipeline;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Puts the connection-level guards into the Netty pipeline of every WebSocket upgrade of {@code
 * /v1/sync}, before the handshake: a {@link BoundedInflater}, so that no frame of the connection is
 * ever inflated without a bound, then an {@link InboundThrottle}, so that no connection can keep
 * the event loop to itself.
 *
 * <p>They go in front of Vert.x's extension handler: the permessage-deflate decoder that handler
 * adds at the handshake then sits behind it and only sees frames already inflated. Reaching the
 * Netty pipeline needs Vert.x's internal {@link ConnectionBase}; an HTTP/1.1 upgrade is always one.
 */
@ApplicationScoped
public class ConnectionGuards {

  private static final String EXTENSION_HANDLER = "webSocketExtensionHandler";
  private static final String VERTX_HANDLER = "handler";

  private final int maxMessageBytes;
  private final long inboundBytesPerSecond;
  // Keyed by the client's address, which WebSockets Next hands to the endpoint too: the one link
  // between them.
  private final ConcurrentHashMap<String, InboundThrottle> throttles = new ConcurrentHashMap<>();

  ConnectionGuards(
      @ConfigProperty(
              name = "quarkus.websockets-next.server.max-message-size",
              defaultValue = "8388608")
          int maxMessageBytes,
      SyncSettings settings) {
    this.maxMessageBytes = maxMessageBytes;
    this.inboundBytesPerSecond = settings.maxInboundBytesPerSecond();
  }

  void register(@Observes Filters filters) {
    // Early, so that it runs before the upgrade whatever the route order of the endpoint.
    filters.register(this::install, 1000);
  }

  /** Returns the throttle of the connection from {@code remoteAddress}, if it is still open. */
  Optional<InboundThrottle> throttleOf(String remoteAddress) {
    return Optional.ofNullable(remoteAddress == null ? null : throttles.get(remoteAddress));
  }

  /**
   * The address as WebSockets Next's {@code HandshakeRequest.remoteAddress()} spells it: host:port.
   */
  private static String addressOf(SocketAddress address) {
    String host = address.hostAddress() != null ? address.hostAddress() : address.hostName();
    return host + ":" + address.port();
  }

  private void install(RoutingContext rc) {
    if ("/v1/sync".equals(rc.normalizedPath())
        && "websocket".equalsIgnoreCase(rc.request().getHeader("Upgrade"))) {
      HttpConnection connection = rc.request().connection();
      if (connection instanceof ConnectionBase base) {
        ChannelPipeline pipeline = base.channel().pipeline();
        if (pipeline.get(BoundedInflater.NAME) == null) {
          String before =
              pipeline.get(EXTENSION_HANDLER) != null ? EXTENSION_HANDLER : VERTX_HANDLER;
          if (pipeline.get(before) != null) {
            pipeline.addBefore(before, BoundedInflater.NAME, new BoundedInflater(maxMessageBytes));
            // After the inflater: a message costs what it inflated to. One largest message fits the
            // burst.
            InboundThrottle throttle = new InboundThrottle(inboundBytesPerSecond, maxMessageBytes);
            pipeline.addBefore(before, InboundThrottle.NAME, throttle);
            String address = addressOf(connection.remoteAddress());
            throttles.put(address, throttle);
            base.channel().closeFuture().addListener(f -> throttles.remove(address, throttle));
          }
        }
      }
    }
    rc.next();
  }
}
