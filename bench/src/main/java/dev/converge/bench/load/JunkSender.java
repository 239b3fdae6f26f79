package dev.converge.bench.load;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A hostile client on a plain socket: it says hello, then sends junk frames as fast as the socket
 * takes them and never reads a byte, so whatever the server answers piles up on the server's side.
 * Not thread-safe; one thread drives it.
 */
final class JunkSender implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;

  private JunkSender(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
  }

  /** Opens {@code /v1/sync} with a bearer token and completes the upgrade. */
  static JunkSender open(URI server, String token) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 10_000);
    socket.setSoTimeout(10_000);
    String request =
        "GET /v1/sync HTTP/1.1\r\nHost: "
            + server.getHost()
            + ":"
            + server.getPort()
            + "\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(new byte[16])
            + "\r\n"
            + "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer "
            + token
            + "\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        socket.close();
        throw new EOFException("closed during the upgrade");
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("upgrade refused: " + head.toString().lines().findFirst().orElse(""));
    }
    return new JunkSender(socket);
  }

  /** Sends one masked text frame; throws once the server has closed the connection. */
  void send(byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write(0x81);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >>> shift));
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.write(mask);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    frame.write(masked, 0, masked.length);
    out.write(frame.toByteArray());
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a socket the server may already have closed
    }
  }
}
