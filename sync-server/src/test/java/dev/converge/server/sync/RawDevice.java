package dev.converge.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.protocol.Changeset;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A device spoken by hand over a real WebSocket: one replica following one space, holding one
 * document as a device does (its writes and every change and snapshot it receives joined in log
 * order), pushing one changeset per write and reporting stable points as the test says.
 */
final class RawDevice implements AutoCloseable {

  static final String COLLECTION = "counters";
  static final String DOC = "c1";

  final String replica;
  final String space;
  final WsClient client;
  final Document doc = new Document();
  final List<Message.Error> errors = new ArrayList<>();
  final List<MessageParts.ChangeItem> items = new ArrayList<>();
  int snapshots;
  long cursor;
  private long seq;
  private long ref;

  private RawDevice(String replica, String space, WsClient client, long since) {
    this.replica = replica;
    this.space = space;
    this.client = client;
    this.cursor = since;
  }

  /** Connects and says hello, subscribed to {@code space} from 0 with the stable point given. */
  static RawDevice connect(
      URI server, String subject, String space, String replica, Long stable, String predecessor)
      throws InterruptedException {
    WsClient client =
        WsClient.hello(server, subject, space, replica, stable, predecessor, List.of());
    client.await(Message.Welcome.class);
    return new RawDevice(replica, space, client, 0);
  }

  /**
   * Adds {@code amount} to the counter at {@code path}, pushes it as one changeset, awaits the ack.
   */
  void increment(List<String> path, long amount) throws InterruptedException {
    push(doc.addToCounter(replica, path, amount));
  }

  /** Pushes {@code delta} (already applied to {@link #doc}) as this replica's next changeset. */
  void push(Document delta, MessageParts.SpaceStable... stable) throws InterruptedException {
    long next = ++seq;
    client.send(
        new Message.Push(
            List.of(new Changeset(replica, next, space, COLLECTION, DOC, new Hlc(1_000, 0), delta)),
            List.of(stable)));
    Message.Ack ack = (Message.Ack) process(m -> m instanceof Message.Ack);
    assertThat(ack.upToSeq()).isEqualTo(next);
  }

  /** Reports {@code stable} with a {@code sync} and waits for its {@code synced}. */
  Message.Synced report(long stable) throws InterruptedException {
    client.send(new Message.Sync(++ref, List.of(new MessageParts.SpaceStable(space, stable))));
    return (Message.Synced) process(m -> m instanceof Message.Synced);
  }

  /** Reads what the server sends until the cursor reaches {@code head}. */
  void catchUp(long head) throws InterruptedException {
    if (cursor >= head) {
      return;
    }
    process(m -> cursor >= head);
  }

  /** Catches up to {@code head} and reports the cursor as its stable point. */
  void catchUpAndReport(long head) throws InterruptedException {
    catchUp(head);
    report(cursor);
  }

  /**
   * Handles incoming messages in order (changes and snapshots joined, errors kept) until one
   * satisfies {@code done}; returns it.
   */
  Message process(Predicate<Message> done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      Message message = client.received.poll(1, TimeUnit.SECONDS);
      if (message == null) {
        continue;
      }
      if (message instanceof Message.Changes changes && changes.space().equals(space)) {
        for (MessageParts.ChangeItem item : changes.items()) {
          doc.join(item.delta().document());
          items.add(item);
        }
        cursor = changes.to();
      } else if (message instanceof Message.Snapshot snapshot && snapshot.space().equals(space)) {
        snapshots++;
        snapshot.docs().forEach(d -> doc.join(d.state().document()));
        if (!snapshot.more()) {
          cursor = snapshot.head();
        }
      } else if (message instanceof Message.Error error) {
        errors.add(error);
      }
      if (done.test(message)) {
        return message;
      }
    }
    throw new AssertionError(
        replica + ": nothing expected arrived within 20 s (cursor " + cursor + ")");
  }

  @Override
  public void close() {
    client.close();
  }
}
