package dev.converge.sdk.internal.net;

import dev.converge.core.protocol.CloseCode;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * {@link Transport} on OkHttp's WebSocket client, which negotiates permessage-deflate when the
 * server offers it and sends pings to detect dead connections. Thread-safe.
 */
public final class OkHttpTransport implements Transport {

  private final OkHttpClient client;

  /** Creates a transport with the given connect timeout and ping interval. */
  public OkHttpTransport(Duration connectTimeout, Duration pingInterval) {
    this.client =
        new OkHttpClient.Builder()
            .connectTimeout(connectTimeout)
            .readTimeout(Duration.ZERO)
            .pingInterval(pingInterval)
            .retryOnConnectionFailure(false)
            .build();
  }

  @Override
  public Session open(URI uri, String token, Listener listener) {
    // OkHttp takes http(s) URLs for WebSocket upgrades; ws(s) URIs are mapped to them.
    String url = uri.toString().replaceFirst("^ws:", "http:").replaceFirst("^wss:", "https:");
    Request request =
        new Request.Builder().url(url).header("Authorization", "Bearer " + token).build();
    AtomicBoolean opened = new AtomicBoolean();
    WebSocket socket =
        client.newWebSocket(
            request,
            new WebSocketListener() {
              @Override
              public void onOpen(WebSocket webSocket, Response response) {
                opened.set(true);
                listener.onOpen();
              }

              @Override
              public void onMessage(WebSocket webSocket, String text) {
                listener.onText(text);
              }

              @Override
              public void onClosing(WebSocket webSocket, int code, String reason) {
                webSocket.close(CloseCode.NORMAL.code(), null);
              }

              @Override
              public void onClosed(WebSocket webSocket, int code, String reason) {
                listener.onClosed(code, reason);
              }

              @Override
              public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                listener.onFailure(t, response == null ? 0 : response.code());
              }
            });
    return new Session() {
      @Override
      public boolean send(String text) {
        return socket.send(text);
      }

      @Override
      public void close(int code, String reason) {
        // A socket never opened has no one to say goodbye to (its upgrade may hang): cancel it.
        if (!opened.get() || !socket.close(code, reason)) {
          socket.cancel();
        }
      }
    };
  }

  @Override
  public void shutdown() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
