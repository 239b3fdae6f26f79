package dev.converge.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A loopback TCP proxy that injects network faults between one client and the server nodes behind
 * it, for the storm tests.
 *
 * <p>Each accepted connection (a <i>link</i>) is connected to the target the supplier picks at that
 * moment, so a reconnect may land on another node. Four threads per link (a reader and a writer per
 * direction) forward chunks; every chunk is held back by the current latency plus a random jitter
 * (in order) and paced by the current bandwidth limit. Faults:
 *
 * <ul>
 *   <li>{@link #cutAll()}: every open link forwards part of its next chunk (or nothing, if none
 *       comes within half a second) and is then reset on both sides: a connection cut mid-frame.
 *   <li>{@link #halfOpenAll()}: every open link becomes a <i>zombie</i>: it stays open on both
 *       sides and silently drops everything, as when the peer host vanished. A zombie is never
 *       closed by the proxy; once {@link #heal() healed}, it resets when the client sends on it
 *       (the peer host answering a segment it no longer knows). {@link #halfOpenNext()} makes the
 *       next new link a zombie from its first byte (the host vanished right after accepting).
 *   <li>{@link #partition(boolean)}: a partition that heals: forwarding stops on every link, old
 *       and new, with nothing lost (as TCP retransmission would do), until {@link #heal()}. With
 *       {@code refuse}, open links are reset and new connections refused instead.
 *   <li>{@link #blackhole(Direction)}: one direction is cut off on every link, old and new: its
 *       bytes (pings and pongs included) arrive nowhere until {@link #heal()}, and then all of
 *       them, in order, as TCP retransmission delivers them once a path heals. The other direction
 *       flows.
 * </ul>
 *
 * <p>Loopback only: it listens on 127.0.0.1 and refuses targets elsewhere. Thread-safe.
 */
final class FaultProxy implements AutoCloseable {

  /** A direction of a link. */
  enum Direction {
    /** Client to server. */
    UPSTREAM,
    /** Server to client. */
    DOWNSTREAM
  }

  private static final int CHUNK = 16 * 1024;

  /** Bytes read from one side, and when they may be written to the other; empty at the end. */
  private record Chunk(byte[] data, long releaseNanos) {}

  private static final Chunk EOF = new Chunk(new byte[0], 0);

  private final String name;
  private final ServerSocket listener;
  private final Supplier<InetSocketAddress> targets;
  private final Random random;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;

  private volatile long latencyMillis;
  private volatile long jitterMillis;
  private volatile long bytesPerSecond;
  private volatile boolean stalled;
  private volatile boolean refusing;
  private volatile boolean upstreamBlackholed;
  private volatile boolean downstreamBlackholed;
  private final AtomicInteger zombiesToCome = new AtomicInteger();
  private volatile boolean closed;

  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong resets = new AtomicLong();
  private final AtomicLong droppedBytes = new AtomicLong();

  /**
   * Starts a proxy on a free loopback port.
   *
   * @param name for thread names
   * @param targets picks the server address of each new link (loopback addresses only)
   * @param seed seeds the jitter, cut points and nothing else
   */
  FaultProxy(String name, Supplier<InetSocketAddress> targets, long seed) throws IOException {
    this.name = name;
    this.targets = targets;
    this.random = new Random(seed);
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = daemon(name + "-accept", this::acceptLoop);
  }

  /** Returns the loopback port clients connect to. */
  int port() {
    return listener.getLocalPort();
  }

  /** Sets the delay of every chunk: {@code latency} plus a uniform random part up to jitter. */
  void latency(long latencyMillis, long jitterMillis) {
    this.latencyMillis = Math.max(0, latencyMillis);
    this.jitterMillis = Math.max(0, jitterMillis);
  }

  /** Limits each direction of each link to {@code bytesPerSecond}; 0 lifts the limit. */
  void bandwidth(long bytesPerSecond) {
    this.bytesPerSecond = Math.max(0, bytesPerSecond);
  }

  /** Cuts every open link mid-frame: part of its next chunk is forwarded, then both sides reset. */
  void cutAll() {
    for (Link link : links) {
      link.cut();
    }
  }

  /** Turns every open link into a zombie: open on both sides, forwarding nothing, forever. */
  void halfOpenAll() {
    for (Link link : links) {
      link.zombie = true;
    }
  }

  /** Makes the next new link a zombie from its first byte. */
  void halfOpenNext() {
    zombiesToCome.incrementAndGet();
  }

  /**
   * Starts a partition until {@link #heal()}: with {@code refuse}, open links are reset and new
   * connections refused; without, every link stops forwarding and resumes, losing nothing, at heal.
   */
  void partition(boolean refuse) {
    if (refuse) {
      refusing = true;
      for (Link link : links) {
        link.abort();
      }
    } else {
      stalled = true;
    }
  }

  /** Holds back every byte of {@code direction} on every link until {@link #heal()}. */
  void blackhole(Direction direction) {
    if (direction == Direction.UPSTREAM) {
      upstreamBlackholed = true;
    } else {
      downstreamBlackholed = true;
    }
  }

  /**
   * Ends partitions and blackholes (what they held back is delivered) and lifts latency and
   * bandwidth limits; zombies from now on reset when the client sends on them.
   */
  void heal() {
    refusing = false;
    stalled = false;
    upstreamBlackholed = false;
    downstreamBlackholed = false;
    latencyMillis = 0;
    jitterMillis = 0;
    bytesPerSecond = 0;
    zombiesToCome.set(0);
    for (Link link : links) {
      if (link.zombie) {
        link.resetOnData = true;
      }
    }
  }

  /** Returns whether a fault or a slowdown is in force (zombies aside). */
  boolean faulty() {
    return refusing
        || stalled
        || upstreamBlackholed
        || downstreamBlackholed
        || latencyMillis > 0
        || bytesPerSecond > 0;
  }

  /** Returns how many links are open now (zombies included). */
  int openLinks() {
    return links.size();
  }

  /** Returns how many connections were accepted (refused ones included). */
  long accepted() {
    return accepted.get();
  }

  /** Returns how many connections were refused. */
  long refused() {
    return refused.get();
  }

  /** Returns how many links the proxy reset (cuts, refusals, zombies answering, failed targets). */
  long resets() {
    return resets.get();
  }

  /** Returns how many bytes zombies dropped. */
  long droppedBytes() {
    return droppedBytes.get();
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Link link : links) {
      link.abort();
    }
    acceptor.interrupt();
  }

  @Override
  public String toString() {
    return "FaultProxy[" + name + ", port " + port() + ", " + links.size() + " links]";
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      accepted.incrementAndGet();
      if (refusing) {
        refused.incrementAndGet();
        reset(client);
        continue;
      }
      boolean zombie = takeZombie();
      daemon(name + "-connect", () -> connect(client, zombie));
    }
  }

  private boolean takeZombie() {
    while (true) {
      int n = zombiesToCome.get();
      if (n <= 0) {
        return false;
      }
      if (zombiesToCome.compareAndSet(n, n - 1)) {
        return true;
      }
    }
  }

  private void connect(Socket client, boolean zombie) {
    InetSocketAddress target = targets.get();
    if (!target.getAddress().isLoopbackAddress()) {
      reset(client);
      throw new IllegalStateException("the fault proxy only reaches loopback targets: " + target);
    }
    Socket server = new Socket();
    try {
      server.setTcpNoDelay(true);
      client.setTcpNoDelay(true);
      server.connect(target, 2_000);
    } catch (IOException e) {
      reset(client);
      reset(server);
      return;
    }
    if (closed || refusing) {
      reset(client);
      reset(server);
      return;
    }
    Link link = new Link(client, server);
    link.zombie = zombie;
    links.add(link);
    link.start();
  }

  private void reset(Socket socket) {
    resets.incrementAndGet();
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // closing anyway
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  private long nextDelay() {
    long jitter = jitterMillis;
    long extra;
    synchronized (random) {
      extra = jitter == 0 ? 0 : (long) (random.nextDouble() * jitter);
    }
    return latencyMillis + extra;
  }

  private int cutPoint(int length) {
    synchronized (random) {
      return length <= 1 ? 0 : 1 + random.nextInt(length - 1);
    }
  }

  private static Thread daemon(String name, Runnable work) {
    Thread thread = new Thread(work, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void sleepMillis(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One proxied connection: the client's socket, the server's, and a pipe each way. */
  private final class Link {
    final Socket client;
    final Socket server;
    final Pipe up;
    final Pipe down;
    volatile boolean zombie;
    volatile boolean resetOnData;
    volatile boolean cutPending;
    volatile boolean aborted;
    final AtomicInteger pipesDone = new AtomicInteger();

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
      this.up = new Pipe(this, Direction.UPSTREAM, client, server);
      this.down = new Pipe(this, Direction.DOWNSTREAM, server, client);
    }

    void start() {
      up.start();
      down.start();
    }

    void cut() {
      cutPending = true;
      daemon(
          name + "-cut",
          () -> {
            sleepMillis(500);
            if (!aborted) {
              abort();
            }
          });
    }

    void abort() {
      if (aborted) {
        return;
      }
      aborted = true;
      links.remove(this);
      reset(client);
      reset(server);
      up.queue.offer(EOF);
      down.queue.offer(EOF);
    }

    void pipeDone() {
      if (pipesDone.incrementAndGet() == 2) {
        links.remove(this);
        try {
          client.close();
          server.close();
        } catch (IOException ignored) {
          // both directions are finished
        }
      }
    }
  }

  /** One direction of a link: a reader that timestamps chunks and a writer that releases them. */
  private final class Pipe {
    final Link link;
    final Direction direction;
    final Socket from;
    final Socket to;
    final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    long lastRelease;

    Pipe(Link link, Direction direction, Socket from, Socket to) {
      this.link = link;
      this.direction = direction;
      this.from = from;
      this.to = to;
    }

    void start() {
      String tag = name + "-" + (direction == Direction.UPSTREAM ? "up" : "down");
      daemon(tag + "-read", this::readLoop);
      daemon(tag + "-write", this::writeLoop);
    }

    private void readLoop() {
      byte[] buffer = new byte[CHUNK];
      try (InputStream in = from.getInputStream()) {
        while (true) {
          int n = in.read(buffer);
          if (n < 0) {
            break;
          }
          // Never before the previous chunk: jitter delays, it does not reorder.
          long release =
              Math.max(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(nextDelay()), lastRelease);
          lastRelease = release;
          queue.offer(new Chunk(Arrays.copyOf(buffer, n), release));
        }
      } catch (IOException e) {
        // reset or closed: the writer finishes with EOF below
      }
      queue.offer(EOF);
    }

    private void writeLoop() {
      try {
        OutputStream out = to.getOutputStream();
        while (true) {
          Chunk next = queue.take();
          if (next == EOF || link.aborted) {
            break;
          }
          byte[] chunk = next.data();
          waitUntil(next.releaseNanos());
          while ((stalled || blackholed()) && !link.zombie && !link.aborted) {
            sleepMillis(20);
          }
          if (link.aborted) {
            break;
          }
          if (link.zombie) {
            droppedBytes.addAndGet(chunk.length);
            if (link.resetOnData && direction == Direction.UPSTREAM) {
              link.abort();
              break;
            }
            continue;
          }
          if (link.cutPending) {
            write(out, chunk, cutPoint(chunk.length));
            link.abort();
            break;
          }
          write(out, chunk, chunk.length);
        }
        if (!link.aborted && !link.zombie) {
          to.shutdownOutput();
        }
      } catch (IOException e) {
        link.abort();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        link.abort();
      }
      link.pipeDone();
    }

    private boolean blackholed() {
      return direction == Direction.UPSTREAM ? upstreamBlackholed : downstreamBlackholed;
    }

    private void waitUntil(long releaseNanos) {
      long wait = releaseNanos - System.nanoTime();
      if (wait > 0) {
        sleepMillis(TimeUnit.NANOSECONDS.toMillis(wait) + 1);
      }
    }

    private void write(OutputStream out, byte[] chunk, int length) throws IOException {
      int offset = 0;
      while (offset < length) {
        long rate = bytesPerSecond;
        int slice =
            rate == 0 ? length - offset : (int) Math.max(1, Math.min(length - offset, rate / 20));
        out.write(chunk, offset, slice);
        out.flush();
        offset += slice;
        if (rate > 0) {
          sleepMillis(slice * 1000L / rate);
        }
      }
    }
  }
}
