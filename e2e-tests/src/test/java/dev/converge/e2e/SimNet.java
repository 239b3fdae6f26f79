package dev.converge.e2e;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The simulated network between devices and the server: one {@link Link} per WebSocket, each
 * direction a FIFO (a WebSocket never reorders nor drops a frame and goes on: a frame is lost only
 * with its connection). Faults: latency with jitter (order kept), cuts (in-flight frames lost, both
 * ends told after a delay), half-open links (everything swallowed until the ping timeout ends
 * them), partitions that heal (frames held until the heal, as TCP retransmits, or links reset and
 * connects refused until the heal), and the server down (connects refused).
 */
final class SimNet {

  /** How long a half-open link lives before the ends' pings give up on it. */
  static final long PING_TIMEOUT_MS = 30_000;

  /** The two ends of a link, as the network calls them. */
  interface ServerEnd {
    void accepted(Link link);

    void received(Link link, String text);

    void closed(Link link);
  }

  /** The device's end of its links. */
  interface DeviceEnd {
    String name();

    void connected(Link link);

    void received(Link link, String text);

    /** The link ended: {@code clean} for a close frame (code 1001), else a failure. */
    void ended(Link link, boolean clean);
  }

  /** One WebSocket connection. */
  static final class Link {
    final long id;
    final DeviceEnd device;

    /** The token the device opened the link with (null: the device's subject). */
    final String token;

    boolean open = true;

    /** The close code of the server's close frame (1001 unless the server said otherwise). */
    int closeCode = 1001;

    boolean halfOpen;
    long lastUp;
    long lastDown;

    Link(long id, DeviceEnd device, String token) {
      this.id = id;
      this.device = device;
      this.token = token;
    }

    @Override
    public String toString() {
      return device.name() + "#" + id;
    }
  }

  private final SimLoop loop;
  private final Random random;
  private final ServerEnd server;
  private final Map<String, Long> partitionedUntil = new HashMap<>();
  private final List<Link> links = new ArrayList<>();
  private long ids;
  private boolean serverDown;
  final SimFigures figures;

  SimNet(SimLoop loop, Random random, ServerEnd server, SimFigures figures) {
    this.loop = loop;
    this.random = random;
    this.server = server;
    this.figures = figures;
  }

  private long latency() {
    long base = 5 + random.nextInt(40);
    return random.nextInt(10) == 0 ? base + random.nextInt(400) : base;
  }

  private boolean partitioned(DeviceEnd device) {
    return partitionedUntil.getOrDefault(device.name(), 0L) > loop.now();
  }

  /** Opens a link for {@code device}: connected after a round trip, or failed. */
  Link connect(DeviceEnd device) {
    return connect(device, null);
  }

  /** Opens a link for {@code device} carrying {@code token} at the upgrade. */
  Link connect(DeviceEnd device, String token) {
    Link link = new Link(++ids, device, token);
    loop.after(
        latency() * 2,
        () -> {
          if (serverDown || partitioned(device)) {
            link.open = false;
            device.ended(link, false);
            return;
          }
          links.add(link);
          server.accepted(link);
          device.connected(link);
        });
    return link;
  }

  /** Sends a frame from the device to the server. */
  void up(Link link, String text) {
    if (!link.open) {
      return;
    }
    link.lastUp = Math.max(link.lastUp, deliveryTime(link));
    loop.at(
        link.lastUp,
        () -> {
          if (link.open && !link.halfOpen) {
            server.received(link, text);
          }
        });
  }

  /** Sends a frame from the server to the device. */
  void down(Link link, String text) {
    if (!link.open) {
      return;
    }
    link.lastDown = Math.max(link.lastDown, deliveryTime(link));
    loop.at(
        link.lastDown,
        () -> {
          if (link.open && !link.halfOpen) {
            link.device.received(link, text);
          }
        });
  }

  private long deliveryTime(Link link) {
    long at = loop.now() + latency();
    Long until = partitionedUntil.get(link.device.name());
    if (until != null && until > loop.now()) {
      at = Math.max(at, until + latency());
    }
    return at;
  }

  /** The device closes its link on purpose: the server learns it after the frames before it. */
  void closeByDevice(Link link) {
    if (!link.open) {
      return;
    }
    link.lastUp = Math.max(link.lastUp, deliveryTime(link));
    loop.at(
        link.lastUp,
        () -> {
          if (link.open) {
            link.open = false;
            server.closed(link);
          }
        });
  }

  /** Resets a link: frames in flight are lost; each end learns it after a delay. */
  void cut(Link link) {
    if (!link.open) {
      return;
    }
    link.open = false;
    loop.after(latency(), () -> server.closed(link));
    loop.after(latency(), () -> link.device.ended(link, false));
  }

  /** The server closes a link with a close frame (sent after the frames before it). */
  void closeByServer(Link link) {
    closeByServer(link, 1001);
  }

  /** The server closes a link with a close frame of {@code code}. */
  void closeByServer(Link link, int code) {
    if (!link.open) {
      return;
    }
    link.closeCode = code;
    link.lastDown = Math.max(link.lastDown, deliveryTime(link));
    link.open = false;
    server.closed(link);
    loop.at(link.lastDown, () -> link.device.ended(link, true));
  }

  /** Makes a link half-open: it swallows everything until the pings give up. */
  void halfOpen(Link link) {
    if (!link.open || link.halfOpen) {
      return;
    }
    link.halfOpen = true;
    loop.after(PING_TIMEOUT_MS, () -> cut(link));
  }

  /**
   * Partitions {@code device} from the server for {@code millis}: its frames are held until the
   * heal ({@code hold}), or its links reset; connects fail meanwhile.
   */
  void partition(DeviceEnd device, long millis, boolean hold) {
    partitionedUntil.put(device.name(), loop.now() + millis);
    if (!hold) {
      openLinks(device).forEach(this::cut);
    }
  }

  /** The server process dies: every link resets and connects fail until {@link #serverUp}. */
  void serverDown() {
    serverDown = true;
    new ArrayList<>(links).forEach(this::cut);
  }

  void serverUp() {
    serverDown = false;
  }

  /** Ends every fault: partitions healed, the server up. */
  void healAll() {
    partitionedUntil.clear();
    serverDown = false;
  }

  /** Returns the open links of {@code device}. */
  List<Link> openLinks(DeviceEnd device) {
    links.removeIf(l -> !l.open);
    return links.stream().filter(l -> l.device == device).toList();
  }

  /** Returns every open link. */
  List<Link> openLinks() {
    links.removeIf(l -> !l.open);
    return List.copyOf(links);
  }
}
