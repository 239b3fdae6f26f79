package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.CloseCode;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.ChangeSource;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.internal.store.Purge;
import dev.converge.sdk.internal.store.Redelivery;
import dev.converge.sdk.internal.store.ReplicaInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@link SyncMachine} does with each server message: welcome, ack, changes, snapshot,
 * authed, revoked, synced, docs and error. Store writes commit here, each followed at once by the
 * listener action it causes.
 *
 * <p>Not thread-safe: part of its machine.
 */
final class ServerMessages {

  private static final Logger LOG = LoggerFactory.getLogger(ServerMessages.class);

  private final SyncMachine m;

  ServerMessages(SyncMachine machine) {
    this.m = machine;
  }

  void onMessage(Message message) {
    if (message instanceof Message.Welcome welcome) {
      onWelcome(welcome);
    } else if (message instanceof Message.Ack ack) {
      onAck(ack);
    } else if (message instanceof Message.Changes changes) {
      onChanges(changes);
    } else if (message instanceof Message.Snapshot snapshot) {
      onSnapshot(snapshot);
    } else if (message instanceof Message.Authed authed) {
      m.refresh.schedule(authed.tokenExpiresAt());
    } else if (message instanceof Message.Revoked revoked) {
      onRevoked(revoked.space());
    } else if (message instanceof Message.Synced synced) {
      onSynced(synced);
    } else if (message instanceof Message.Docs docs) {
      if (!m.antiEntropy.onDocs(docs)) {
        m.rereads.onDocs(docs);
      }
    } else if (message instanceof Message.Digests digests) {
      m.antiEntropy.onDigests(digests);
    } else if (message instanceof Message.Subscribed subscribed) {
      m.subscriptions.onSubscribed(subscribed);
    } else if (message instanceof Message.Unsubscribed unsubscribed) {
      LOG.debug("server stopped serving {}", unsubscribed.spaces());
    } else if (message instanceof Message.Error error) {
      onError(error);
    } else {
      LOG.warn("unexpected {} message from the server; ignored", message.type());
    }
  }

  private void onWelcome(Message.Welcome welcome) {
    m.link.onWelcome(welcome.tokenExpiresAt());
    m.board.forbidden.clear();
    Set<String> granted = new HashSet<>();
    List<String> restored = new ArrayList<>();
    for (MessageParts.SpaceHead head : welcome.spaces()) {
      granted.add(head.space());
      m.lag.announced(head.space(), head.head(), m.effects.now());
      if (head.restored()
          && m.settings.spaces().contains(head.space())
          && m.store.beginRepair(head.space())) {
        restored.add(head.space());
      }
    }
    if (!restored.isEmpty()) {
      // The server lost what this replica saw of these spaces (restored from a backup). Its
      // record of our seqs is old too: a new id (naming this one, whose dots the repair carries)
      // pushes the unsent changes and, once the snapshot the server sends is read, what the
      // server lacks (docs/reliability.md).
      LOG.warn(
          "server {} no longer has the history of {} this replica followed (restored from a"
              + " backup?); re-keying and repairing it",
          welcome.serverId(),
          restored);
      rekey("server restored from a backup: " + restored, Redelivery.SENT_ROWS);
      return;
    }
    List<String> missedRevocations = new ArrayList<>();
    for (String space : m.spaces) {
      if (!granted.contains(space)) {
        m.board.forbidden.add(space);
        // Synced before, refused now: a revocation we missed while offline.
        if (m.store.cursor(space) > 0 || m.store.snapshotInProgress(space)) {
          missedRevocations.add(space);
        }
      }
    }
    LOG.info("online: server {}, {} spaces granted", welcome.serverId(), granted.size());
    for (String space : missedRevocations) {
      if (onRevoked(space)) {
        return;
      }
    }
    m.waiters.askAgain();
    m.push.pushMore();
    // Re-reads a former session left unanswered (or a crash left recorded) go out now.
    m.rereads.fetchMore();
    m.antiEntropy.sessionStarted();
    m.board.publish();
    m.checkWaiters();
  }

  private void onAck(Message.Ack ack) {
    if (!ack.replicaId().equals(m.store.replica().replicaId())) {
      LOG.debug("ack for former replica id {}; ignored", ack.replicaId());
      return;
    }
    m.board.lastAckAt = m.effects.now();
    long issuedBefore = m.store.replica().lastIssuedSeq();
    boolean progress = m.push.onAck(ack);
    if (m.store.replica().lastIssuedSeq() > issuedBefore) {
      // A refused change was made again under fresh dots: a sync waits for it too.
      m.waiters.retarget(m.store.replica().lastIssuedSeq());
    }
    if (m.push.refusalsInLastAck()) {
      // Reported or made again, a refused change's document waits for the server's state.
      m.rereads.fetchMore();
    }
    if (progress) {
      // Changes move again: the failure streak is over.
      m.forbiddenPushes.progress();
      m.backoff.reset();
      m.board.lastError = null;
      m.board.nextRetryAt = null;
    }
    m.push.pushMore();
    // Acked rows no longer hold the stable points back; a push just sent carries what rose.
    m.stable.mayHaveRisen(m.link.welcomed(), m.board.forbidden);
    m.board.publish();
    m.checkWaiters();
  }

  private void onSynced(Message.Synced synced) {
    m.waiters.answered(synced);
    for (MessageParts.SpaceHead head : synced.spaces()) {
      if (m.lag.knows(head.space())) {
        m.lag.reached(head.space(), head.head(), m.effects.now());
      }
    }
    m.board.publish();
    m.checkWaiters();
  }

  private void onChanges(Message.Changes changes) {
    String space = changes.space();
    if (!m.spaces.contains(space)) {
      LOG.debug("changes for unsubscribed space {}; ignored", space);
      return;
    }
    long cursor = m.store.cursor(space);
    if (changes.from() > cursor && !m.store.snapshotInProgress(space)) {
      // A hole behind our cursor would be skipped for good; resubscribing resumes from the cursor.
      LOG.warn(
          "changes of {} start at {} but the cursor is {}; resubscribing",
          space,
          changes.from(),
          cursor);
      m.link.restartSession("gap in changes");
      return;
    }
    ReplicaInfo replica = m.store.replica();
    boolean forked = false;
    for (MessageParts.ChangeItem item : changes.items()) {
      if (item.origin() != null
          && item.origin().replicaId().equals(replica.replicaId())
          && item.origin().seq() > replica.lastIssuedSeq()) {
        forked = true;
      }
    }
    List<DocumentKey> changed =
        m.store.applyChanges(space, changes.to(), changes.items(), changes.epoch());
    if (!changed.isEmpty()) {
      m.effects.emit(new Action.DocumentsChanged(changed, ChangeSource.REMOTE));
    }
    m.lag.reached(space, changes.to(), m.effects.now());
    if (forked) {
      // The server holds a change of our replica id that we never made: another copy of this
      // database.
      LOG.warn(
          "server holds changes of replica {} beyond seq {}: this database was copied; re-keying",
          replica.replicaId(),
          replica.lastIssuedSeq());
      rekey("another copy of this database uses replica " + replica.replicaId(), Redelivery.NONE);
      return;
    }
    m.stable.mayHaveRisen(m.link.welcomed(), m.board.forbidden);
    m.board.publish();
    m.checkWaiters();
  }

  private void onSnapshot(Message.Snapshot snapshot) {
    String space = snapshot.space();
    if (!m.spaces.contains(space)) {
      return;
    }
    List<DocumentKey> changed = m.store.applySnapshotPage(space, snapshot.docs(), !snapshot.more());
    if (!snapshot.more()) {
      m.store.finishSnapshot(space, snapshot.head(), snapshot.epoch());
    }
    // A repair of a restored server may have queued changes.
    m.push.pushMore();
    if (!changed.isEmpty()) {
      m.effects.emit(new Action.DocumentsChanged(changed, ChangeSource.REMOTE));
    }
    m.lag.reached(space, snapshot.head(), m.effects.now());
    m.stable.mayHaveRisen(m.link.welcomed(), m.board.forbidden);
    m.board.publish();
    m.checkWaiters();
  }

  /** Purges a revoked space; returns whether the session was restarted (after a re-key). */
  private boolean onRevoked(String space) {
    LOG.warn("access to space {} revoked; purging it locally", space);
    Purge purge = m.store.purgeSpace(space);
    if (!purge.documents().isEmpty()) {
      m.effects.emit(new Action.DocumentsChanged(purge.documents(), ChangeSource.REMOTE));
    }
    if (!purge.rejected().isEmpty()) {
      m.rejected(purge.rejected());
    }
    m.lag.forget(space);
    m.board.forbidden.add(space);
    if (purge.rekeyed()) {
      m.waiters.retarget(m.store.replica().lastIssuedSeq());
      m.link.restartSession("re-keyed after revocation");
      return true;
    }
    m.board.publish();
    m.checkWaiters();
    return false;
  }

  private void onError(Message.Error error) {
    String code = error.code();
    m.board.lastError = code;
    if (error.knownCode().orElse(null) == ErrorCode.REPLICA_FORGED
        && !m.link.welcomed()
        && m.store.predecessor().isPresent()) {
      // Before the welcome it answers our hello: the predecessor is another user's. A new id would
      // name it again (a re-key loop), so the lineage is dropped; its writes come back refused,
      // visibly.
      LOG.warn(
          "server refused predecessor {} ({}); sending its writes without it",
          m.store.predecessor().get(),
          error.message());
      m.store.dropPredecessor();
      return;
    }
    if (error.knownCode().orElse(null) == ErrorCode.FETCH_TOO_LARGE
        && (m.antiEntropy.onError(error) || m.rereads.onTooLarge(error))) {
      m.board.publish();
      return;
    }
    if (error.handling() == ErrorCode.Handling.REKEY) {
      LOG.warn(
          "server disagrees with this replica's seqs ({}: {}); re-keying", code, error.message());
      rekey(code + ": " + error.message(), Redelivery.NONE);
      return;
    }
    if (error.handling() == ErrorCode.Handling.NEW_TOKEN) {
      LOG.info("server refused the token ({}); fetching a fresh one", code);
      m.link.endSession(CloseCode.NORMAL, code);
      m.link.onSessionEnded(CloseCode.TOKEN.code(), code, 0);
      return;
    }
    onOtherError(error);
  }

  /** A push error, or an error about a sync request or a subscription. */
  private void onOtherError(Message.Error error) {
    switch (m.push.onError(error)) {
      case REJECTION_PENDING ->
          LOG.debug("change {} refused ({}); awaiting the ack", error.ref(), error.code());
      case SHRUNK -> m.push.pushMore();
      case FAILED -> {
        if (m.forbiddenPushes.applies(error)) {
          m.forbiddenPushes.refused(error);
        } else {
          LOG.warn("push failed ({}: {}); retrying", error.code(), error.message());
          m.link.scheduleRetry(error.retryAfterMs());
        }
      }
      case NOT_A_PUSH_ERROR -> {
        if (error.knownCode().orElse(null) == ErrorCode.FORBIDDEN_SPACE) {
          LOG.info("server refused a subscription: {}", error.message());
        } else {
          LOG.warn("server error {}: {}", error.code(), error.message());
          if (m.waiters.awaitingAnswer()) {
            // It may answer a sync request: ask again later rather than wait forever.
            m.link.scheduleRetry(error.retryAfterMs());
          }
        }
      }
    }
    m.board.publish();
  }

  private void rekey(String reason, Redelivery redelivery) {
    m.store.rekey(reason, redelivery);
    m.waiters.retarget(m.store.replica().lastIssuedSeq());
    m.link.restartSession("re-keyed");
  }
}
