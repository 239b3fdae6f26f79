package dev.converge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The storm's {@link FaultProxy}, against loopback echo servers. */
class StormProxyTest {

  private Echo echo;
  private FaultProxy proxy;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void echoBehindProxy() throws IOException {
    echo = new Echo("");
    proxy = new FaultProxy("test", () -> echo.address(), 1);
  }

  @AfterEach
  void close() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    proxy.close();
    echo.close();
  }

  @Test
  void forwardsBothWays_andPicksTheTargetPerConnection() throws IOException {
    Echo other = new Echo("B:");
    AtomicInteger connections = new AtomicInteger();
    try (FaultProxy twoTargets =
        new FaultProxy(
            "two",
            () -> connections.getAndIncrement() % 2 == 0 ? echo.address() : other.address(),
            2)) {
      Socket first = connect(twoTargets);
      send(first, "hello");
      assertThat(read(first, 5, 2_000)).isEqualTo("hello");
      Socket second = connect(twoTargets);
      send(second, "hi");
      assertThat(read(second, 4, 2_000)).isEqualTo("B:hi");
    } finally {
      other.close();
    }
  }

  @Test
  void latency_delaysEveryChunk_inOrder() throws IOException {
    proxy.latency(300, 50);
    Socket s = connect(proxy);
    long start = System.nanoTime();
    send(s, "abc");
    send(s, "def");
    assertThat(read(s, 6, 5_000)).isEqualTo("abcdef");
    // one way up and one way down, each held back at least 300 ms
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(600);
  }

  @Test
  void bandwidth_pacesTheBytes() throws IOException {
    proxy.bandwidth(8_000);
    Socket s = connect(proxy);
    long start = System.nanoTime();
    send(s, "x".repeat(16_000));
    assertThat(read(s, 16_000, 20_000)).hasSize(16_000);
    // 16 000 bytes each way at 8 000 bytes per second (both ways at once): about two seconds
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(1_500);
  }

  @Test
  void cutAll_forwardsPartOfTheNextChunk_thenResetsBothSides() throws IOException {
    Socket s = connect(proxy);
    send(s, "warm");
    assertThat(read(s, 4, 2_000)).isEqualTo("warm");
    proxy.cutAll();
    send(s, "y".repeat(1_000));
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    assertThatThrownBy(() -> readUntilClosed(s, got, 5_000))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed");
    assertThat(got.size()).isLessThan(1_000);
    assertThat(echo.received.get()).isBetween(4L, 4L + 999);
  }

  @Test
  void halfOpen_staysOpenAndSilent_thenResetsOnDataOnceHealed() throws IOException {
    Socket s = connect(proxy);
    send(s, "warm");
    assertThat(read(s, 4, 2_000)).isEqualTo("warm");
    proxy.halfOpenAll();
    send(s, "lost");
    assertThatThrownBy(() -> read(s, 1, 700)).isInstanceOf(SocketTimeoutException.class);
    assertThat(echo.received.get()).isEqualTo(4);
    proxy.heal();
    send(s, "knock");
    assertThatThrownBy(() -> readUntilClosed(s, new ByteArrayOutputStream(), 5_000))
        .isInstanceOf(IOException.class);
    // new connections are clean
    Socket fresh = connect(proxy);
    send(fresh, "ok");
    assertThat(read(fresh, 2, 2_000)).isEqualTo("ok");
  }

  @Test
  void halfOpenNext_makesTheNextConnectionSilentFromItsFirstByte() throws IOException {
    proxy.halfOpenNext();
    Socket zombie = connect(proxy);
    send(zombie, "hello");
    assertThatThrownBy(() -> read(zombie, 1, 700)).isInstanceOf(SocketTimeoutException.class);
    Socket next = connect(proxy);
    send(next, "ok");
    assertThat(read(next, 2, 2_000)).isEqualTo("ok");
  }

  @Test
  void partition_holdsEverything_andDeliversItAllWhenHealed() throws IOException {
    Socket s = connect(proxy);
    proxy.partition(false);
    send(s, "during");
    Socket late = connect(proxy);
    send(late, "late");
    assertThatThrownBy(() -> read(s, 1, 700)).isInstanceOf(SocketTimeoutException.class);
    assertThat(echo.received.get()).isZero();
    proxy.heal();
    assertThat(read(s, 6, 3_000)).isEqualTo("during");
    assertThat(read(late, 4, 3_000)).isEqualTo("late");
  }

  @Test
  void refusingPartition_resetsLinks_andRefusesNewConnections_untilHealed() throws IOException {
    Socket s = connect(proxy);
    send(s, "warm");
    assertThat(read(s, 4, 2_000)).isEqualTo("warm");
    proxy.partition(true);
    assertThatThrownBy(() -> readUntilClosed(s, new ByteArrayOutputStream(), 3_000))
        .isInstanceOf(IOException.class);
    Socket refused = connect(proxy);
    assertThatThrownBy(() -> readUntilClosed(refused, new ByteArrayOutputStream(), 3_000))
        .isInstanceOf(IOException.class);
    assertThat(proxy.refused()).isEqualTo(1);
    proxy.heal();
    Socket after = connect(proxy);
    send(after, "ok");
    assertThat(read(after, 2, 2_000)).isEqualTo("ok");
  }

  @Test
  void upstreamBlackhole_holdsWhatTheClientSends_andDeliversItWhenHealed() throws IOException {
    Socket s = connect(proxy);
    proxy.blackhole(FaultProxy.Direction.UPSTREAM);
    send(s, "held");
    Socket fresh = connect(proxy);
    send(fresh, "new");
    assertThatThrownBy(() -> read(s, 1, 700)).isInstanceOf(SocketTimeoutException.class);
    assertThat(echo.received.get()).isZero();
    proxy.heal();
    assertThat(read(s, 4, 3_000)).isEqualTo("held");
    assertThat(read(fresh, 3, 3_000)).isEqualTo("new");
    assertThat(proxy.droppedBytes()).isZero();
  }

  @Test
  void downstreamBlackhole_letsTheServerReceive_butTheClientHearsNothingUntilHealed()
      throws IOException {
    proxy.blackhole(FaultProxy.Direction.DOWNSTREAM);
    Socket s = connect(proxy);
    send(s, "one-way");
    assertThatThrownBy(() -> read(s, 1, 700)).isInstanceOf(SocketTimeoutException.class);
    assertThat(echo.received.get()).isEqualTo(7);
    proxy.heal();
    assertThat(read(s, 7, 3_000)).isEqualTo("one-way");
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private Socket connect(FaultProxy to) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), to.port());
    sockets.add(s);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Reads exactly {@code n} bytes within {@code timeoutMillis} (per read). */
  private static String read(Socket s, int n, int timeoutMillis) throws IOException {
    s.setSoTimeout(timeoutMillis);
    InputStream in = s.getInputStream();
    byte[] buffer = new byte[n];
    int got = 0;
    while (got < n) {
      int r = in.read(buffer, got, n - got);
      if (r < 0) {
        throw new IOException("closed after " + got + " bytes");
      }
      got += r;
    }
    return new String(buffer, StandardCharsets.UTF_8);
  }

  /** Reads until the peer closes or resets; always ends with an IOException naming "closed". */
  private static void readUntilClosed(Socket s, ByteArrayOutputStream got, int timeoutMillis)
      throws IOException {
    s.setSoTimeout(timeoutMillis);
    InputStream in = s.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      while (true) {
        int r = in.read(buffer);
        if (r < 0) {
          throw new IOException("closed by the peer");
        }
        got.write(buffer, 0, r);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("still open after " + timeoutMillis + " ms", e);
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("closed")) {
        throw e;
      }
      throw new IOException("closed by a reset: " + e.getMessage(), e);
    }
  }

  /** A loopback server that echoes every byte back with a prefix per connection. */
  private static final class Echo implements AutoCloseable {
    final ServerSocket server;
    final AtomicLong received = new AtomicLong();

    Echo(String prefix) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> serve(s, prefix));
                    t.setDaemon(true);
                    t.start();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void serve(Socket s, String prefix) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        out.write(prefix.getBytes(StandardCharsets.UTF_8));
        byte[] buffer = new byte[4096];
        int r;
        while ((r = in.read(buffer)) >= 0) {
          received.addAndGet(r);
          out.write(buffer, 0, r);
          out.flush();
        }
      } catch (IOException ignored) {
        // the proxy reset the connection
      }
    }

    InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
