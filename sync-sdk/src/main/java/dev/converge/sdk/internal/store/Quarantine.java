package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Hlc;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.ProtocolCodec;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Moves a local change the server refused from the outbox to the rejected changes: as it is, with
 * the re-read of its document recorded ({@link RereadTable}), with the drop of the foreign dots a
 * {@code dot_forged} refusal names ({@link ForeignDots}), or leaving an empty change under its seq
 * when the change could never be sent (the seqs stay gapless).
 *
 * <p>Not thread-safe: the store calls it under its monitor, inside its transactions.
 */
final class Quarantine {

  private final ProtocolCodec codec;
  private final DocumentTable documents;
  private final OutboxTable outbox;
  private final RejectedTable rejected;
  private final SpaceTable spaces;
  private final RereadTable rereads;

  Quarantine(
      ProtocolCodec codec,
      DocumentTable documents,
      OutboxTable outbox,
      RejectedTable rejected,
      SpaceTable spaces,
      RereadTable rereads) {
    this.codec = codec;
    this.documents = documents;
    this.outbox = outbox;
    this.rejected = rejected;
    this.spaces = spaces;
    this.rereads = rereads;
  }

  /**
   * Moves the row {@code seq} to the rejected changes and records the re-read of its document; for
   * a {@code dot_forged} refusal also drops the values at its dots of other replicas from the local
   * document.
   */
  Optional<RejectedChange> refused(
      long seq, String replicaId, String code, String message, long now, HybridClock clock)
      throws SQLException {
    Optional<RejectedChange> moved = rejected.moveOne(seq, replicaId, code, message, now);
    if (moved.isPresent()) {
      // The refused change may have superseded values here that only the server's state restores.
      rereads.add(moved.get().key());
    }
    if (moved.isPresent() && ErrorCode.DOT_FORGED.wire().equals(code)) {
      // The server's context-only entry cannot drop another replica's values: done here.
      Document drop =
          ForeignDots.of(codec.forStoredData().decodeDocument(moved.get().deltaJson()), replicaId);
      if (!drop.context().isEmpty()) {
        documents.join(Map.of(moved.get().key(), List.of(drop)), clock);
      }
    }
    return moved;
  }

  /** Moves the row {@code seq} to the rejected changes and puts an empty change in its place. */
  Optional<RejectedChange> unsendable(
      long seq, String replicaId, String code, String message, long now) throws SQLException {
    // A joined row covers a range: the empty change takes all of it, so no seq goes missing.
    long toSeq =
        outbox.select("seq = ?", seq).stream().mapToLong(OutboxRow::toSeq).findFirst().orElse(seq);
    Optional<RejectedChange> moved = rejected.moveOne(seq, replicaId, code, message, now);
    if (moved.isPresent()) {
      // An empty change has no context: it holds back no stable point, so the cursor now.
      DocumentKey key = moved.get().key();
      String empty = codec.encodeDocument(new Document());
      String text = outbox.encode(replicaId, seq, toSeq, key, Hlc.ZERO.toString(), empty);
      outbox.insert(
          seq, key, Hlc.ZERO.toString(), empty, text, now, spaces.cursor(key.space()), true);
    }
    return moved;
  }
}
