package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.ChangeSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spaces the machine follows, changed at runtime (docs/protocol-2.md, "Runtime subscriptions"):
 * a space subscribed on a welcomed session is asked for in a {@code subscribe} (otherwise the next
 * {@code hello} carries it); an unsubscribed space is purged locally first (through the store's
 * purge, which retires the replica id when it drops this replica's dots or unsent changes) and then
 * named in an {@code unsubscribe}, so the replica leaves its live set.
 *
 * <p>Not thread-safe: part of its machine.
 */
final class Subscriptions {

  private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

  /** The most spaces one {@code unsubscribe} names (the server's default session bound). */
  static final int MAX_PER_MESSAGE = 256;

  private final SyncMachine m;

  /** The spaces each unanswered {@code subscribe} of this session asked for, oldest first. */
  private final Deque<List<String>> asked = new ArrayDeque<>();

  Subscriptions(SyncMachine machine) {
    this.m = machine;
  }

  /** The app subscribed to {@code space}: follow it, asking the server now if welcomed. */
  void subscribe(String space) {
    if (m.spaces.contains(space)) {
      return;
    }
    m.spaces.add(space);
    if (m.link.welcomed()) {
      asked.add(List.of(space));
      m.effects.emit(new Action.Send(new Message.Subscribe(List.of(m.stable.subscription(space)))));
    }
    m.board.publish();
  }

  /**
   * The app unsubscribed from {@code spaces}: when welcomed, the server is told first (the replica
   * leaves their live sets under its current id); then each space is purged. A purge that retired
   * the replica id restarts the session (the new id's {@code hello} declares the old one, whose
   * every live-set entry goes).
   */
  void unsubscribe(List<String> spaces) {
    if (m.link.welcomed()) {
      // In slices the server's bound on spaces per message always admits.
      for (int i = 0; i < spaces.size(); i += MAX_PER_MESSAGE) {
        List<String> slice = spaces.subList(i, Math.min(spaces.size(), i + MAX_PER_MESSAGE));
        m.effects.emit(new Action.Send(new Message.Unsubscribe(slice)));
      }
    }
    boolean rekeyed = false;
    for (String space : spaces) {
      m.spaces.remove(space);
      var purge = m.store.unsubscribeSpace(space);
      if (!purge.documents().isEmpty()) {
        m.effects.emit(new Action.DocumentsChanged(purge.documents(), ChangeSource.REMOTE));
      }
      if (!purge.rejected().isEmpty()) {
        m.rejected(purge.rejected());
      }
      m.lag.forget(space);
      m.board.forbidden.remove(space);
      rekeyed |= purge.rekeyed();
    }
    if (rekeyed) {
      m.waiters.retarget(m.store.replica().lastIssuedSeq());
      if (m.link.sessionExists()) {
        m.link.restartSession("re-keyed after unsubscribing");
        return;
      }
    }
    m.board.publish();
    m.checkWaiters();
  }

  /** The server answered the oldest {@code subscribe}: a space it did not name was refused. */
  void onSubscribed(Message.Subscribed subscribed) {
    List<String> spaces = asked.poll();
    Set<String> granted = new HashSet<>();
    for (MessageParts.SpaceHead head : subscribed.spaces()) {
      granted.add(head.space());
      if (m.spaces.contains(head.space())) {
        m.lag.announced(head.space(), head.head(), m.effects.now());
      }
    }
    for (String space : spaces == null ? List.<String>of() : spaces) {
      if (!granted.contains(space) && m.spaces.contains(space)) {
        LOG.info("server refused the subscription to {}", space);
        m.board.forbidden.add(space);
      }
    }
    m.push.pushMore();
    m.board.publish();
    m.checkWaiters();
  }

  /** Whether a {@code subscribe} of this session awaits its answer (it may be refused). */
  boolean awaitingAnswer() {
    return !asked.isEmpty();
  }

  /** The session ended: its unanswered requests are moot, the next hello names every space. */
  void sessionEnded() {
    asked.clear();
  }

  /** The spaces as a list, for a status or a hello. */
  List<String> list() {
    return new ArrayList<>(m.spaces);
  }
}
