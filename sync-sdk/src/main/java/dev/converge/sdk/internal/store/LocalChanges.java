package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Records one local change: its delta encoded once and spliced into its push-ready changeset text,
 * that text checked against the push limits before anything is saved, then the document, the outbox
 * row, and the next seq and the clock in {@code meta}.
 *
 * <p>Not thread-safe: the store calls it under its monitor, inside its transactions.
 */
final class LocalChanges {

  private final PendingMeta meta;
  private final ProtocolCodec codec;
  private final PushLimits pushLimits;
  private final DocumentTable documents;
  private final OutboxTable outbox;
  private final SpaceTable spaces;
  private final LongSupplier wallMillis;

  LocalChanges(
      PendingMeta meta,
      ProtocolCodec codec,
      DocumentTable documents,
      OutboxTable outbox,
      SpaceTable spaces,
      LongSupplier wallMillis) {
    this.meta = meta;
    this.codec = codec;
    this.pushLimits = new PushLimits(codec);
    this.documents = documents;
    this.outbox = outbox;
    this.spaces = spaces;
    this.wallMillis = wallMillis;
  }

  /**
   * Applies {@code mutation} to the document {@code key} as change {@code seq} of {@code
   * replicaId}, stamped by {@code clock}; returns its outbox row, or nothing when the mutation
   * changes nothing (no row, no seq used).
   *
   * @throws IllegalArgumentException if the change could never be pushed (nothing is saved)
   */
  Optional<OutboxRow> write(
      DocumentKey key,
      LocalMutation mutation,
      String replicaId,
      long seq,
      HybridClock clock,
      PendingStates pending)
      throws SQLException {
    // The waiting state itself, not a copy: a failed write makes the store forget it.
    Document document = pending.take(key);
    document = document == null ? documents.load(key) : document;
    document = document == null ? new Document() : document;
    try {
      Hlc hlc = clock.now();
      Document delta = mutation.apply(document, replicaId, hlc);
      if (delta.isEmpty()) {
        return Optional.empty();
      }
      // Encoded once: the delta's text is spliced into the push-ready changeset.
      OutboxRow row = append(replicaId, seq, key, delta, hlc, wallMillis.getAsLong(), false);
      // The stored state is left as it was: the write waits in memory and in its row until a fold.
      pending.wrote(key, document);
      return Optional.of(row);
    } catch (SQLException | RuntimeException | Error e) {
      // Inside a batch nothing rolls back yet: what memory holds is rebuilt from the rows.
      pending.forget();
      throw e;
    }
  }

  /**
   * Saves {@code document} (the delta already applied) and appends {@code delta} to the outbox as
   * change {@code seq} of {@code replicaId}; returns the row.
   *
   * @throws IllegalArgumentException if the change could never be pushed (nothing is saved)
   */
  OutboxRow record(
      String replicaId,
      long seq,
      DocumentKey key,
      Document document,
      Document delta,
      Hlc hlc,
      long now)
      throws SQLException {
    Encoded change = encode(replicaId, seq, key, delta, hlc);
    documents.save(key, document);
    return insert(seq, key, hlc, change, now, true);
  }

  /** A change's delta text and its push-ready changeset text. */
  private record Encoded(String deltaJson, String changesetJson) {}

  /**
   * Encodes {@code delta} once and splices it into its push-ready text, checked against the push
   * limits before anything is saved: a change the push could never carry must not reach the outbox.
   */
  private Encoded encode(String replicaId, long seq, DocumentKey key, Document delta, Hlc hlc) {
    String deltaJson = codec.encodeDocument(delta);
    String changesetJson = outbox.encode(replicaId, seq, key, hlc.toString(), deltaJson);
    pushLimits.check(changesetJson);
    return new Encoded(deltaJson, changesetJson);
  }

  /**
   * Appends {@code delta} to the outbox as change {@code seq} of {@code replicaId}, marked unfolded
   * unless {@code folded}: the caller keeps the document's new state (see {@link PendingStates}).
   */
  private OutboxRow append(
      String replicaId,
      long seq,
      DocumentKey key,
      Document delta,
      Hlc hlc,
      long now,
      boolean folded)
      throws SQLException {
    return insert(seq, key, hlc, encode(replicaId, seq, key, delta, hlc), now, folded);
  }

  private OutboxRow insert(
      long seq, DocumentKey key, Hlc hlc, Encoded change, long now, boolean folded)
      throws SQLException {
    // The document was read in this transaction: its context holds every change up to the cursor
    // read in it too (changes and cursor commit together).
    long cursorAtWrite = spaces.cursor(key.space());
    OutboxRow row =
        outbox.insert(
            seq,
            key,
            hlc.toString(),
            change.deltaJson(),
            change.changesetJson(),
            now,
            cursorAtWrite,
            folded);
    // Once per transaction, not per change: a batch sets them for every change it makes.
    meta.putAtCommit("next_seq", Long.toString(seq + 1));
    meta.putAtCommit("hlc", hlc.toString());
    return row;
  }
}
