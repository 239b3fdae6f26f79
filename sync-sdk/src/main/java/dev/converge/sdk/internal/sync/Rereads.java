package dev.converge.sdk.internal.sync;

import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.ChangeSource;
import dev.converge.sdk.DocumentKey;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The document re-read within a {@link SyncMachine} (docs/protocol-2.md): sends {@code fetch} for
 * the documents of refused changes the store recorded, one fetch in flight at a time, and applies
 * the answering {@code docs}. The store keeps the pending re-reads, so a session that ends before
 * the answer loses nothing: the next welcomed session fetches them again.
 *
 * <p>Not thread-safe: part of its machine.
 */
final class Rereads {

  private static final Logger LOG = LoggerFactory.getLogger(Rereads.class);

  /** Documents per fetch, well within the server's bound (100 by default). */
  static final int BATCH = 16;

  private final SyncMachine m;
  private long nextRef = 1;
  private Message.Fetch inFlight;
  private int batch = BATCH;

  Rereads(SyncMachine machine) {
    this.m = machine;
  }

  /** Sends the next fetch, unless one awaits its answer or no session is welcomed. */
  void fetchMore() {
    if (inFlight != null || !m.link.welcomed()) {
      return;
    }
    for (String space : m.store.rereadSpaces()) {
      // A space no longer synced (or not granted) cannot be fetched; its re-reads wait, or go with
      // its purge.
      if (!m.spaces.contains(space) || m.board.forbidden.contains(space)) {
        continue;
      }
      List<DocumentKey> keys = m.store.pendingRereads(space, batch);
      if (keys.isEmpty()) {
        continue;
      }
      // A loop, not Stream.toList(): the SDK keeps to Android API 26.
      List<MessageParts.DocName> names = new ArrayList<>(keys.size());
      for (DocumentKey key : keys) {
        names.add(new MessageParts.DocName(key.collection(), key.docId()));
      }
      inFlight = new Message.Fetch(nextRef++, space, names);
      m.effects.emit(new Action.Send(inFlight));
      return;
    }
  }

  /** Applies the server's states if they answer the fetch in flight; ignores any other. */
  void onDocs(Message.Docs docs) {
    if (inFlight == null
        || docs.ref() != inFlight.ref()
        || !docs.space().equals(inFlight.space())) {
      LOG.debug("docs for ref {} answer no fetch in flight; ignored", docs.ref());
      return;
    }
    inFlight = null;
    List<DocumentKey> changed = m.store.applyRereads(docs.space(), docs.docs());
    if (!changed.isEmpty()) {
      m.effects.emit(new Action.DocumentsChanged(changed, ChangeSource.REMOTE));
    }
    fetchMore();
  }

  /**
   * Handles {@code fetch_too_large}; returns whether the error answered the fetch in flight. A
   * fetch of several documents is retried one document at a time; a lone document beyond the frame
   * limit cannot be re-read on a session: its re-read is dropped, visibly.
   */
  boolean onTooLarge(Message.Error error) {
    if (inFlight == null || error.ref() == null || error.ref() != inFlight.ref()) {
      return false;
    }
    Message.Fetch refused = inFlight;
    inFlight = null;
    if (refused.docs().size() > 1) {
      batch = 1;
    } else {
      MessageParts.DocName doc = refused.docs().get(0);
      LOG.warn(
          "document {}/{} of {} cannot be re-read ({}); its local state stays as it is",
          doc.collection(),
          doc.docId(),
          refused.space(),
          error.message());
      m.board.lastError = ErrorCode.FETCH_TOO_LARGE.wire();
      m.store.dropReread(new DocumentKey(refused.space(), doc.collection(), doc.docId()));
    }
    fetchMore();
    return true;
  }

  /** The session ended: an unanswered fetch is sent again on the next one. */
  void sessionEnded() {
    inFlight = null;
    batch = BATCH;
  }
}
