package dev.converge.e2e;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.policy.Cart;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.e2e.StormHistory.Outcome;
import dev.converge.sdk.DocumentKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A hostile member of the shared spaces, speaking the protocol by hand: forged contexts (a remove
 * claiming dots nobody made yet, which would delete writes to come), forged dots (increments,
 * register values and set elements under an honest replica's id), far-future clocks (a register
 * value stamped years ahead, which the server counts and keeps), pushes to spaces it is not
 * granted, and frames that are not protocol at all. It builds each attack on the server's current
 * state, as a member that synced would. Honest members must lose nothing (the checkers), and the
 * server must answer each with a coded error and keep serving.
 */
final class SimHostile implements SimActor {

  static final String NAME = "hostile";

  private final String subject;
  private final List<String> spaces;
  private final String foreignSpace;
  private final SimWorld world;
  private final SimServer server;
  private final List<SimDevice> victims;
  private final Random random;
  private SimNet.Link link;
  private boolean welcomed;
  private String replicaId;
  private long seq;
  private int sessions;

  SimHostile(
      String subject,
      List<String> spaces,
      String foreignSpace,
      SimWorld world,
      SimServer server,
      List<SimDevice> victims,
      Random random) {
    this.subject = subject;
    this.spaces = spaces;
    this.foreignSpace = foreignSpace;
    this.world = world;
    this.server = server;
    this.victims = victims;
    this.random = random;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String subject() {
    return subject;
  }

  /** One attack: connects first if it has no session. */
  void attack() {
    if (link == null || !link.open) {
      welcomed = false;
      link = world.net.connect(this);
      return;
    }
    if (!welcomed) {
      return;
    }
    String space = spaces.get(random.nextInt(spaces.size()));
    int kind = random.nextInt(6);
    world.figures.count("hostile.attack." + kind);
    switch (kind) {
      case 0 -> push(space, StormOps.MAIN_CART, forgedContext(space, StormOps.MAIN_CART));
      case 1 -> push(space, StormOps.MAIN_CART, forgedDotIncrement(space));
      case 2 -> push(space, StormOps.NOTE_ID, forgedDotElement(space));
      case 3 -> farFuture(space);
      case 4 ->
          push(
              foreignSpace,
              StormOps.MAIN_CART,
              new Document()
                  .addToCounter(replicaId, List.of(Cart.ITEMS, "s0", Cart.QTY), (1L << 30) - 1));
      default -> world.net.up(link, random.nextBoolean() ? "{\"type\":\"push\"" : "[1,2,3]");
    }
  }

  private Document state(String space, String docId) {
    DocumentKey key = SimReads.key(space, docId);
    return server.core.document(space, key.collection(), key.docId());
  }

  /** A remove whose context names dots of every replica beyond what anyone made. */
  private Document forgedContext(String space, String docId) {
    Document current = state(space, docId);
    Document delta = current.remove(List.of(Cart.ITEMS));
    CausalContext context = delta.context().copy();
    for (String replica : current.context().replicas()) {
      context.addPrefix(replica, current.context().max(replica) + 20);
    }
    for (SimDevice d : victims) {
      if (d.alive) {
        context.addPrefix(d.store.replica().replicaId(), 20);
      }
    }
    return new Document(delta.root(), context);
  }

  private String victimId() {
    List<String> ids = new ArrayList<>();
    for (SimDevice d : victims) {
      if (d.alive) {
        ids.add(d.store.replica().replicaId());
      }
    }
    return ids.isEmpty() ? "d0.1.0" : ids.get(random.nextInt(ids.size()));
  }

  /** An increment made under an honest replica's id (its next dot). */
  private Document forgedDotIncrement(String space) {
    return state(space, StormOps.MAIN_CART)
        .addToCounter(victimId(), List.of(Cart.ITEMS, "s1", Cart.QTY), (1L << 30) - 1);
  }

  /** A set element under an honest replica's id. */
  private Document forgedDotElement(String space) {
    return state(space, StormOps.NOTE_ID).addToSet(victimId(), List.of("tags"), "forged");
  }

  /** A title stamped ten years ahead, under its own id: legal, counted, and kept. */
  private void farFuture(String space) {
    Document current = state(space, StormOps.NOTE_ID);
    Set<String> seen = new TreeSet<>(SimReads.values(current, "title"));
    String value = "hostile-title-" + (++world.unique);
    Hlc future = new Hlc(world.loop.now() + 10L * 365 * 24 * 3_600_000, 0);
    Document delta =
        current.writeRegister(replicaId, List.of("title"), TextNode.valueOf(value), future);
    long start = world.loop.tick();
    push(space, StormOps.NOTE_ID, delta);
    // Whether it is applied depends on the link: indeterminate, and it superseded what it saw.
    world.history.add(
        new StormHistory.WriteRegister(
            NAME,
            start,
            world.loop.tick(),
            Outcome.INDETERMINATE,
            SimReads.name(space, StormOps.NOTE_ID),
            "title",
            value,
            seen));
  }

  private void push(String space, String docId, Document delta) {
    DocumentKey key = SimReads.key(space, docId);
    Changeset c =
        new Changeset(
            replicaId,
            ++seq,
            space,
            key.collection(),
            key.docId(),
            delta.maxHlc().compareTo(Hlc.ZERO) > 0 ? delta.maxHlc() : new Hlc(world.loop.now(), 0),
            delta);
    world.net.up(link, world.codec.encode(new Message.Push(List.of(c))));
  }

  @Override
  public void connected(SimNet.Link l) {
    if (l != link) {
      return;
    }
    replicaId = NAME + "." + (++sessions) + "." + Long.toHexString(world.seed);
    seq = 0;
    List<MessageParts.Subscription> subs = new ArrayList<>();
    spaces.forEach(s -> subs.add(new MessageParts.Subscription(s, 0)));
    world.net.up(
        l, world.codec.encode(new Message.Hello(Message.PROTOCOL_VERSION, replicaId, subs)));
  }

  @Override
  public void received(SimNet.Link l, String text) {
    if (l != link) {
      return;
    }
    Message m = world.codec.decode(text);
    if (m instanceof Message.Welcome) {
      welcomed = true;
    } else if (m instanceof Message.Error e) {
      world.figures.count("hostile.refused." + e.code());
    }
  }

  @Override
  public void ended(SimNet.Link l, boolean clean) {
    if (l == link) {
      link = null;
      welcomed = false;
    }
  }
}
