package dev.converge.server.sync;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
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
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A WebSocket client on a plain socket, for tests that need what ordinary clients never do: not
 * reading at all (the kernel buffers fill, nothing is drained), or sending hand-made frames such as
 * permessage-deflate bombs and oversize frames. Frames are written masked, as RFC 6455 wants.
 */
final class RawWebSocket implements AutoCloseable {

  /** A frame read from the server. */
  record Frame(int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The close code of a close frame, or -1. */
    int closeCode() {
      return opcode == 8 && payload.length >= 2
          ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff)
          : -1;
    }

    String closeReason() {
      return opcode == 8 && payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
          : "";
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  final String extensions;
  private Inflater inflater;

  private RawWebSocket(Socket socket, String extensions) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
    this.extensions = extensions;
  }

  /**
   * Opens {@code /v1/sync} with a bearer token.
   *
   * @param deflate whether to offer permessage-deflate
   * @param receiveBuffer the socket's receive buffer in bytes (small, so not reading stalls the
   *     server soon), or 0
   */
  static RawWebSocket open(URI server, String token, boolean deflate, int receiveBuffer)
      throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 10_000);
    socket.setSoTimeout(30_000);
    String key = Base64.getEncoder().encodeToString(new byte[16]);
    String request =
        "GET /v1/sync HTTP/1.1\r\n"
            + "Host: "
            + server.getHost()
            + ":"
            + server.getPort()
            + "\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + key
            + "\r\nSec-WebSocket-Version: 13\r\n"
            + (deflate
                ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                : "")
            + "Authorization: Bearer "
            + token
            + "\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    InputStream raw = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = raw.read();
      if (b < 0) {
        throw new EOFException("connection closed during the handshake: " + head);
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("upgrade refused: " + head.toString().lines().findFirst().orElse(""));
    }
    String extensions =
        head.toString()
            .lines()
            .filter(l -> l.toLowerCase().startsWith("sec-websocket-extensions:"))
            .map(l -> l.substring(l.indexOf(':') + 1).trim())
            .findFirst()
            .orElse("");
    return new RawWebSocket(socket, extensions);
  }

  /** How long {@link #read()} waits for a frame before it fails: a bound on every wait. */
  void readTimeout(java.time.Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
  }

  /** Sends one text frame, uncompressed. */
  void sendText(String text) throws IOException {
    sendFrame(true, 0, 1, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends one text frame compressed with permessage-deflate (RSV1 set). */
  void sendDeflated(byte[] compressed) throws IOException {
    sendFrame(true, 0x4, 1, compressed);
  }

  /**
   * Sends a frame: {@code rsv} is the RSV bits as they sit in the first byte's low nibble's high
   * part.
   */
  synchronized void sendFrame(boolean fin, int rsv, int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
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
    byte[] masked = payload.clone();
    for (int i = 0; i < masked.length; i++) {
      masked[i] ^= mask[i & 3];
    }
    frame.write(masked);
    out.write(frame.toByteArray());
    out.flush();
  }

  /**
   * Reads the next frame (blocking, up to the socket timeout); a compressed message comes inflated.
   */
  Frame read() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    if ((b0 & 0x40) != 0) {
      payload = inflate(payload);
    }
    return new Frame(b0 & 0x0f, payload);
  }

  /**
   * Inflates one server message; the server keeps its compression context, so one inflater serves
   * all.
   */
  private byte[] inflate(byte[] compressed) throws IOException {
    if (inflater == null) {
      inflater = new Inflater(true);
    }
    byte[] input = java.util.Arrays.copyOf(compressed, compressed.length + 4);
    input[input.length - 2] = (byte) 0xff;
    input[input.length - 1] = (byte) 0xff;
    inflater.setInput(input);
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    byte[] buffer = new byte[16 * 1024];
    try {
      int n;
      while ((n = inflater.inflate(buffer)) > 0 || !inflater.needsInput()) {
        plain.write(buffer, 0, n);
        if (n == 0 && (inflater.finished() || inflater.needsDictionary())) {
          break;
        }
      }
    } catch (java.util.zip.DataFormatException e) {
      throw new IOException("server sent invalid deflate data", e);
    }
    return plain.toByteArray();
  }

  /** Reads frames until a close frame, skipping the rest; returns it. */
  Frame readUntilClose() throws IOException {
    while (true) {
      Frame frame = read();
      if (frame.opcode() == 8) {
        return frame;
      }
    }
  }

  /**
   * Compresses {@code plain} as one permessage-deflate message (the trailing 00 00 ff ff removed).
   */
  static byte[] deflate(byte[] plain) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(plain);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    int n;
    while ((n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH)) > 0) {
      out.write(buffer, 0, n);
    }
    deflater.end();
    byte[] all = out.toByteArray();
    return java.util.Arrays.copyOf(all, all.length - 4);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
