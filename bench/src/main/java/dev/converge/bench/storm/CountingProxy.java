package dev.converge.bench.storm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy counting the payload bytes each way (HTTP upgrade, WebSocket framing and
 * messages; not IP/TCP headers), as the peers' {@code proxy.mjs} does, so bytes per operation
 * compare with theirs. It also notes whether a server's upgrade answer accepted permessage-deflate.
 * Two threads per connection; for the bench only.
 */
final class CountingProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final int targetPort;
  private final AtomicLong up = new AtomicLong();
  private final AtomicLong down = new AtomicLong();
  private final AtomicBoolean deflateAccepted = new AtomicBoolean();
  private final AtomicLong lastByteNanos = new AtomicLong(System.nanoTime());

  CountingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "counting-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  long up() {
    return up.get();
  }

  long down() {
    return down.get();
  }

  boolean deflateAccepted() {
    return deflateAccepted.get();
  }

  void reset() {
    up.set(0);
    down.set(0);
  }

  /** Waits until no byte went either way for {@code quietMillis} (at most {@code maxMillis}). */
  void awaitQuiet(long quietMillis, long maxMillis) throws InterruptedException {
    long deadline = System.nanoTime() + maxMillis * 1_000_000;
    while (System.nanoTime() < deadline
        && System.nanoTime() - lastByteNanos.get() < quietMillis * 1_000_000) {
      Thread.sleep(20);
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        pump(client, server, up, false);
        pump(server, client, down, true);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(Socket from, Socket to, AtomicLong counter, boolean fromServer) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16384];
              boolean first = fromServer;
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  if (first) {
                    String head = new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                    if (head.toLowerCase()
                        .contains("sec-websocket-extensions: permessage-deflate")) {
                      deflateAccepted.set(true);
                    }
                    first = false;
                  }
                  counter.addAndGet(n);
                  lastByteNanos.set(System.nanoTime());
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side closed: close both
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "counting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
