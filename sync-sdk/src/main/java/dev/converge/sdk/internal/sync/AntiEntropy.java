package dev.converge.sdk.internal.sync;

import dev.converge.core.digest.DigestTree;
import dev.converge.core.digest.SpaceDigest;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.ChangeSource;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.internal.store.DigestRepair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anti-entropy within a {@link SyncMachine} (docs/protocol-2.md, "Digests"): once a session is
 * caught up (outbox empty, every cursor at the head the server announced), and then every {@link
 * Settings#digestInterval()}, it compares each subscribed space's digest tree with the server's,
 * narrowing differing children down to leaves and documents, then fetches the server's state of
 * each differing document and repairs it ({@code Store#applyDigestRepair}): the server's state is
 * joined in, this replica's own writes the server lost are pushed again through the outbox, and
 * other replicas' entries the server never had are counted in the status, never pushed.
 *
 * <p>One round at a time; a round the server never finishes answering is abandoned at the next
 * interval. Not thread-safe: part of its machine.
 */
final class AntiEntropy {

  private static final Logger LOG = LoggerFactory.getLogger(AntiEntropy.class);

  /** The interval between two exchanges by default. */
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  /** How soon a session that is not caught up yet checks again. */
  static final Duration CATCH_UP_CHECK = Duration.ofSeconds(1);

  /** Refs of this class's messages start here, apart from the re-read's. */
  static final long REF_BASE = 1L << 40;

  /**
   * Documents whose stored digest is checked against their state per space and round: a space of
   * 100,000 documents is checked whole every 50 rounds.
   */
  static final int SCRUB_BATCH = 2048;

  /** Documents per repair fetch, well within the server's bound. */
  static final int FETCH_BATCH = 16;

  private final SyncMachine m;
  private long nextRef = REF_BASE;
  private Round round;

  /** One exchange: the spaces still to compare, and the one under way. */
  private static final class Round {
    final Deque<String> spaces;
    final Instant started;
    String space;
    SpaceDigest tree;
    final Map<Long, String> pending = new HashMap<>();
    final Set<MessageParts.DocName> differing = new LinkedHashSet<>();
    Message.Fetch fetch;

    Round(Deque<String> spaces, Instant started) {
      this.spaces = spaces;
      this.started = started;
    }
  }

  AntiEntropy(SyncMachine machine) {
    this.m = machine;
  }

  /** A session was welcomed: the first exchange runs as soon as it is caught up. */
  void sessionStarted() {
    round = null;
    m.effects.schedule(new Timer.Digest(), 0);
  }

  /** The session ended: its round is over. */
  void sessionEnded() {
    round = null;
    m.effects.cancel(new Timer.Digest());
  }

  /** The timer fired: start a round if none runs (or the running one was never answered). */
  void due() {
    if (!m.link.welcomed()) {
      return;
    }
    Duration interval = m.settings.digestInterval();
    if (round != null && Duration.between(round.started, m.effects.now()).compareTo(interval) < 0) {
      return;
    }
    if (!caughtUp()) {
      round = null;
      m.effects.schedule(new Timer.Digest(), CATCH_UP_CHECK.toMillis());
      return;
    }
    Deque<String> spaces = new ArrayDeque<>();
    for (String space : m.settings.spaces()) {
      if (!m.board.forbidden.contains(space)) {
        spaces.add(space);
      }
    }
    round = new Round(spaces, m.effects.now());
    // Also the deadline of this round: one left unanswered is abandoned then.
    m.effects.schedule(new Timer.Digest(), interval.toMillis());
    nextSpace();
  }

  private boolean caughtUp() {
    if (m.store.pendingCount() > 0) {
      return false;
    }
    for (String space : m.settings.spaces()) {
      if (!m.board.forbidden.contains(space) && !m.lag.caughtUp(space)) {
        return false;
      }
    }
    return true;
  }

  private void nextSpace() {
    if (round.spaces.isEmpty()) {
      round = null;
      return;
    }
    round.space = round.spaces.poll();
    m.store.scrubDigests(round.space, SCRUB_BATCH);
    round.tree = m.store.digestTree(round.space);
    round.differing.clear();
    send("");
  }

  private void send(String path) {
    long ref = nextRef++;
    round.pending.put(ref, path);
    if (DigestTree.isLeaf(path)) {
      List<MessageParts.DigestDoc> docs = new ArrayList<>();
      m.store
          .leafDigests(round.space, DigestTree.index(path), DigestTree.MAX_LEAF_DOCS)
          .forEach(
              (k, hash) -> docs.add(new MessageParts.DigestDoc(k.collection(), k.docId(), hash)));
      m.effects.emit(new Action.Send(new Message.Digest(ref, round.space, path, List.of(), docs)));
    } else {
      m.effects.emit(
          new Action.Send(
              new Message.Digest(
                  ref, round.space, path, SpaceDigest.wire(round.tree.children(path)), List.of())));
    }
  }

  /** The server answered a node of the tree. */
  void onDigests(Message.Digests answer) {
    if (round == null
        || !answer.space().equals(round.space)
        || !answer.path().equals(round.pending.remove(answer.ref()))) {
      LOG.debug("digests for ref {} answer no digest in flight; ignored", answer.ref());
      return;
    }
    if (DigestTree.isLeaf(answer.path())) {
      for (MessageParts.DigestDoc doc : answer.docs()) {
        round.differing.add(new MessageParts.DocName(doc.collection(), doc.docId()));
      }
    } else {
      List<String> mine = SpaceDigest.wire(round.tree.children(answer.path()));
      for (String child : DigestTree.differing(answer.path(), mine, answer.hashes())) {
        send(child);
      }
    }
    if (round.pending.isEmpty()) {
      if (!round.differing.isEmpty()) {
        LOG.info(
            "digest exchange of {}: {} documents differ from the server's; repairing",
            round.space,
            round.differing.size());
      }
      fetchMore();
    }
  }

  private void fetchMore() {
    if (round.differing.isEmpty()) {
      nextSpace();
      return;
    }
    List<MessageParts.DocName> batch = new ArrayList<>();
    for (MessageParts.DocName name : round.differing) {
      if (batch.size() == FETCH_BATCH) {
        break;
      }
      batch.add(name);
    }
    round.differing.removeAll(batch);
    round.fetch = new Message.Fetch(nextRef++, round.space, batch);
    m.effects.emit(new Action.Send(round.fetch));
  }

  /** Returns whether {@code docs} answers this class's fetch (and then repairs its documents). */
  boolean onDocs(Message.Docs docs) {
    if (round == null || round.fetch == null || docs.ref() != round.fetch.ref()) {
      return false;
    }
    round.fetch = null;
    DigestRepair repair = m.store.applyDigestRepair(docs.space(), docs.docs());
    if (!repair.changed().isEmpty()) {
      m.effects.emit(new Action.DocumentsChanged(repair.changed(), ChangeSource.REMOTE));
    }
    Set<DocumentKey> repaired = new LinkedHashSet<>(repair.changed());
    m.board.repairedDocuments += Math.max(repaired.size(), repair.repushed());
    m.board.foreignEntriesDropped += repair.foreignDots();
    if (repair.repushed() > 0) {
      LOG.info(
          "{} documents of {} held writes of this replica the server had lost; pushing them again",
          repair.repushed(),
          docs.space());
      m.push.pushMore();
    }
    m.board.publish();
    fetchMore();
    return true;
  }

  /** Returns whether {@code error} refused this class's fetch (its documents wait a round). */
  boolean onError(Message.Error error) {
    if (round == null
        || round.fetch == null
        || error.ref() == null
        || error.ref() != round.fetch.ref()) {
      return false;
    }
    LOG.warn("repair fetch of {} refused ({}); retried next round", round.space, error.code());
    round.fetch = null;
    fetchMore();
    return true;
  }
}
