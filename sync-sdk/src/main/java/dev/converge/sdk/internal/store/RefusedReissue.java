package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.CausalContext;
import dev.converge.core.crdt.Document;
import dev.converge.core.crdt.Dot;
import dev.converge.core.crdt.HybridClock;
import dev.converge.core.crdt.Reissue;
import dev.converge.core.protocol.ErrorCode;
import dev.converge.core.protocol.ProtocolCodec;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a refused change again under fresh dots ({@link Reissue}) instead of reporting it, when the
 * server refused it as {@code dot_reused} and it names dots of an id this device has retired: as
 * its own entries, or in its context (a write that superseded one of them, which the server refuses
 * within the same push, {@link dev.converge.core.trust.ReusedInPush}).
 *
 * <p>Only a fork gives that refusal: the database was restored behind the device's back (a backup
 * of its whole directory, so neither the install fingerprint nor the push mark can tell), the
 * writes made since reused dots that the discarded future had used for other writes, and the
 * server, holding those, revealed the fork and the device re-keyed. The refused write never took
 * effect; made again under dots of the new id, with its register values' timestamps kept, it means
 * what the user meant, and the other life's writes stay (docs/reliability.md, bug 5).
 *
 * <p>In one transaction: the row leaves the outbox; its entries that a later row of the device
 * superseded are left out, and the later rows not yet sent stop naming its dots of retired ids; the
 * local state carries the entries under the fresh dots; the new change is appended; and the
 * document is re-read, since the server holds other writes under the old dots. Not thread-safe: the
 * store calls it under its monitor, inside its transactions, with the waiting writes folded.
 */
final class RefusedReissue {

  private static final Logger LOG = LoggerFactory.getLogger(RefusedReissue.class);

  private final ProtocolCodec codec;
  private final DocumentTable documents;
  private final OutboxTable outbox;
  private final OutboxCoalescer coalescer;
  private final LocalChanges changes;
  private final RereadTable rereads;
  private final ReplicaLineage lineage;

  RefusedReissue(
      ProtocolCodec codec,
      DocumentTable documents,
      OutboxTable outbox,
      OutboxCoalescer coalescer,
      LocalChanges changes,
      RereadTable rereads,
      ReplicaLineage lineage) {
    this.codec = codec;
    this.documents = documents;
    this.outbox = outbox;
    this.coalescer = coalescer;
    this.changes = changes;
    this.rereads = rereads;
    this.lineage = lineage;
  }

  /**
   * Re-issues the row {@code seq} if the server refused it with {@code code} for dots of a retired
   * id.
   *
   * @param replicaId the device's current id, whose fresh dots replace the stale ones
   * @param nextSeq the seq a new change takes
   * @return the next seq after the re-issue, or nothing when this refusal is not one to re-issue
   *     (the caller then reports it as refused)
   */
  Optional<Long> reissue(
      long seq, String code, String replicaId, long nextSeq, HybridClock clock, long now)
      throws SQLException {
    if (!ErrorCode.DOT_REUSED.wire().equals(code)) {
      return Optional.empty();
    }
    List<OutboxRow> found = outbox.select("seq = ?", seq);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    OutboxRow row = found.get(0);
    Document refused = codec.forStoredData().decodeDocument(row.deltaJson());
    List<Dot> storeDots = new ArrayList<>();
    refused.root().forEachDot(storeDots::add);
    // This device's own retired ids, never another device's: the ids its refused entries were
    // made under, and the nearest predecessor it recorded and the older ones it still declares.
    Set<String> retiredIds = new HashSet<>(lineage.olderToDeclare());
    lineage.declared().ifPresent(retiredIds::add);
    storeDots.forEach(dot -> retiredIds.add(dot.replica()));
    retiredIds.remove(replicaId);
    if (Collections.disjoint(refused.context().replicas(), retiredIds)) {
      // Only dots of the current id: a fault of this device, reported as it is.
      return Optional.empty();
    }
    List<Dot> staleDots = new ArrayList<>();
    for (Dot dot : storeDots) {
      if (retiredIds.contains(dot.replica())) {
        staleDots.add(dot);
      }
    }
    List<Later> later = new ArrayList<>();
    for (OutboxRow laterRow :
        outbox.select(
            "space = ? AND collection = ? AND doc_id = ? AND seq > ? ORDER BY seq",
            row.key().space(),
            row.key().collection(),
            row.key().docId(),
            row.toSeq())) {
      later.add(new Later(laterRow, codec.forStoredData().decodeDocument(laterRow.deltaJson())));
    }
    Set<Dot> superseded = supersededLater(later, storeDots);
    Document state = documents.load(row.key());
    state = state == null ? new Document() : state;
    Optional<Reissue.Result> made =
        Reissue.of(refused, retiredIds::contains, superseded, replicaId, state.context());
    if (!made.isPresent()) {
      return Optional.empty();
    }
    forgetStaleDots(later, staleDots, replicaId);
    outbox.delete(seq);
    Reissue.Result result = made.get();
    state.join(result.local());
    long next = nextSeq;
    if (result.pushed().isEmpty()) {
      documents.save(row.key(), state);
    } else {
      changes.record(replicaId, next, row.key(), state, result.pushed(), clock.now(), now);
      next++;
    }
    rereads.add(row.key());
    LOG.warn(
        "change {} of {} reused dots of a retired id (this database was restored behind its back);"
            + " made again as change {}: {} fresh dots, {} entries left out as superseded since",
        seq,
        row.key(),
        next > nextSeq ? nextSeq : "none",
        result.reissued(),
        result.left());
    return Optional.of(next);
  }

  /** A later row of the same document, with its delta decoded once. */
  private record Later(OutboxRow row, Document delta) {}

  /** The refused dots a later row's context names: the device superseded their entries itself. */
  private static Set<Dot> supersededLater(List<Later> later, List<Dot> refusedDots) {
    Set<Dot> superseded = new HashSet<>();
    for (Later each : later) {
      for (Dot dot : refusedDots) {
        if (each.delta().context().contains(dot)) {
          superseded.add(dot);
        }
      }
    }
    return superseded;
  }

  /**
   * Later rows never sent stop naming the stale dots: the server holds other writes under them,
   * which those rows must not remove. A row already sent is frozen (a retry is byte-identical).
   */
  private void forgetStaleDots(List<Later> later, List<Dot> staleDots, String replicaId)
      throws SQLException {
    long sentThrough = coalescer.sentThrough();
    for (Later each : later) {
      OutboxRow row = each.row();
      Document delta = each.delta();
      if (row.seq() <= sentThrough) {
        continue;
      }
      List<Dot> named = new ArrayList<>();
      for (Dot dot : staleDots) {
        if (delta.context().contains(dot)) {
          named.add(dot);
        }
      }
      Optional<CausalContext> kept =
          named.isEmpty() ? Optional.empty() : Reissue.without(delta.context(), named);
      if (kept.isPresent()) {
        String deltaJson = codec.encodeDocument(new Document(delta.root(), kept.get()));
        String text =
            outbox.encode(
                replicaId,
                row.seq(),
                row.toSeq(),
                row.key(),
                row.hlc(),
                deltaJson,
                outbox.resent(row.seq()));
        outbox.coalesce(row.seq(), row.toSeq(), row.hlc(), deltaJson, text, row.cursorAtWrite());
      }
    }
  }
}
