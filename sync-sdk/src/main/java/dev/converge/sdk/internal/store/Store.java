package dev.converge.sdk.internal.store;

import dev.converge.core.crdt.Document;
import dev.converge.core.digest.SpaceDigest;
import dev.converge.core.protocol.MessageParts;
import dev.converge.sdk.DocumentKey;
import dev.converge.sdk.RejectedChange;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The local replica: document states, the outbox of unacknowledged changes, space cursors and the
 * replica's identity. The one interface behind which the database driver sits (SQLite today).
 *
 * <p>Every method is atomic: it commits all its effects in one transaction or none. Implementations
 * are thread-safe and serialize access on the store's monitor; callers that must order side effects
 * after a commit (listener notifications) take that same monitor through {@code
 * dev.converge.sdk.internal.engine.CommitOrder}, which documents the SDK's lock discipline.
 *
 * @see SqliteStore
 */
public interface Store extends AutoCloseable {

  /** Returns the replica's identity and next seq. */
  ReplicaInfo replica();

  /** Returns the merged state of a document, or empty if the store has never seen it. */
  Optional<Document> read(DocumentKey key);

  /**
   * Runs {@code writes} (calls of {@link #writeLocal} and reads, on the calling thread) as one
   * transaction: every write in it commits, or none does. Other threads wait until it ends.
   *
   * @throws StoreException if the database fails; whatever {@code writes} throws is rethrown after
   *     the rollback
   */
  void batch(Runnable writes);

  /**
   * Applies a local change and appends its delta to the outbox, in one transaction. The HLC is
   * taken, and persisted, inside the transaction.
   *
   * @return the outbox row, or empty if the change was a no-op (empty delta; nothing stored)
   * @throws dev.converge.core.crdt.CrdtException from the mutation; nothing is stored then
   */
  Optional<OutboxRow> writeLocal(DocumentKey key, LocalMutation mutation);

  /**
   * Joins remote change items into their documents and moves the space cursor to {@code to} (never
   * backwards), in one transaction. A remote delta whose field type conflicts with a local value (a
   * local change the server refused) replaces that local value: the server is authoritative.
   *
   * @return the documents whose state changed
   */
  default List<DocumentKey> applyChanges(
      String space, long to, List<MessageParts.ChangeItem> items) {
    return applyChanges(space, to, items, null);
  }

  /**
   * As {@link #applyChanges(String, long, List)}; {@code epoch} is the server's log chain at {@code
   * to} (docs/protocol-2.md "Log epoch"), kept with the cursor, or null when the server sent none.
   */
  List<DocumentKey> applyChanges(
      String space, long to, List<MessageParts.ChangeItem> items, String epoch);

  /** Joins one snapshot page into local states and marks the space's snapshot as in progress. */
  default List<DocumentKey> applySnapshotPage(String space, List<MessageParts.SnapshotDoc> docs) {
    return applySnapshotPage(space, docs, false);
  }

  /**
   * As {@link #applySnapshotPage(String, List)}; while a repair of the space is under way ({@link
   * #beginRepair}), first queues, for each document of the page, what the server lacks of it, and
   * on the {@code last} page, for each document the snapshot did not name, then ends the repair.
   */
  List<DocumentKey> applySnapshotPage(
      String space, List<MessageParts.SnapshotDoc> docs, boolean last);

  /**
   * Ends a snapshot: the cursor becomes exactly {@code head}, even if it stood above it, and no
   * outbox row of the space keeps a cursor-at-write above it (see {@link #stablePoint}).
   */
  default void finishSnapshot(String space, long head) {
    finishSnapshot(space, head, null);
  }

  /** As {@link #finishSnapshot(String, long)}; {@code epoch} is the log chain at {@code head}. */
  void finishSnapshot(String space, long head, String epoch);

  /** Returns the server's log chain at the cursor of {@code space}, or null when unknown. */
  String epoch(String space);

  /**
   * Starts the repair of {@code space} on a server restored from a backup (docs/reliability.md):
   * the documents it holds now are compared with the snapshot the server sends next. Returns false
   * if one was under way already.
   */
  boolean beginRepair(String space);

  /** Returns the last applied server seq of {@code space} (0 for none). */
  long cursor(String space);

  /** Returns whether a snapshot of {@code space} was begun and not finished. */
  boolean snapshotInProgress(String space);

  /**
   * Returns the replica's stable point in {@code space} to report: the lesser of the space's cursor
   * and the least cursor at which one of its outbox rows was written (every changeset it will still
   * push for the space was made with a context holding every change up to that point). Empty while
   * that is below a point already {@link #stableReported reported} under this replica id: the
   * replica then reports nothing, so its reports never go down (after a snapshot below the cursor,
   * or a purged space granted again). See {@code StablePoints}.
   */
  OptionalLong stablePoint(String space);

  /**
   * Records stable points as reported, before they are sent: {@link #stablePoint} never returns
   * less under this replica id, even after a restart. A re-key forgets the records.
   */
  void stableReported(Map<String, Long> points);

  /** Returns up to {@code limit} outbox rows with seq above {@code afterSeq}, in seq order. */
  List<OutboxRow> outbox(long afterSeq, int limit);

  /**
   * Returns the next rows to push, as {@link #outbox}, after joining the never-sent rows of one
   * document with consecutive seqs into one row covering their range; records, in the same
   * transaction, that the returned rows are sent, so their ranges and bytes are frozen from now on
   * (a retry after a lost ack is byte-identical).
   */
  List<OutboxRow> pushBatch(long afterSeq, int limit);

  /**
   * Returns the number of local changes not yet acknowledged: a row joined from several writes (a
   * seq range) counts each of them, so joining rows before a push does not lower the count.
   */
  long pendingCount();

  /** Returns the smallest outbox seq, or 0 when the outbox is empty. */
  long firstPendingSeq();

  /**
   * Deletes the outbox rows with seq up to {@code upToSeq}: the server made them durable.
   *
   * @return how many rows were deleted
   */
  int ack(long upToSeq);

  /**
   * Moves an outbox row to the rejected changes: it is never sent again and stays visible.
   *
   * <p>A {@code dot_reused} refusal of dots of an id this device retired is not reported: the
   * change is made again under fresh dots and appended to the outbox (a fork, docs/reliability.md,
   * bug 5).
   *
   * @return the rejection, or empty if no such row is in the outbox or the change was made again
   */
  Optional<RejectedChange> quarantine(long seq, String code, String message);

  /**
   * Returns the spaces with documents to re-read: documents of changes the server refused, which
   * may have superseded values locally that no join brings back (recorded by {@link #quarantine}).
   */
  List<String> rereadSpaces();

  /** Returns up to {@code limit} documents of {@code space} to re-read, in a stable order. */
  List<DocumentKey> pendingRereads(String space, int limit);

  /**
   * Replaces each document with the server's state ({@code docs} answering a {@code fetch}) joined
   * with this device's unacknowledged changes of it, and forgets its re-read, in one transaction.
   *
   * @return the documents whose state changed
   */
  List<DocumentKey> applyRereads(String space, List<MessageParts.SnapshotDoc> docs);

  /**
   * Checks the stored digests of the next {@code limit} documents of {@code space} (in name order,
   * wrapping around) against their states and corrects the stale ones: a state changed outside the
   * SDK keeps a digest that no longer matches it.
   *
   * @return how many were stale
   */
  int scrubDigests(String space, int limit);

  /**
   * Returns the digest tree of {@code space} over the stored document states (docs/protocol-2.md,
   * "Digests").
   */
  SpaceDigest digestTree(String space);

  /**
   * Returns up to {@code limit} documents of leaf {@code leaf} of {@code space}'s digest tree with
   * their digests (32 hex digits), in (collection, docId) order; documents in the empty state are
   * left out.
   */
  Map<DocumentKey, String> leafDigests(String space, int leaf, int limit);

  /**
   * Repairs documents a digest exchange found different from the server's ({@code docs}, the
   * server's states answering a {@code fetch}), in one transaction: each becomes the server's state
   * joined with this device's unacked changes of it and with its own writes the server lost, which
   * go into the outbox as new changes; other replicas' entries the server never had are dropped and
   * counted.
   */
  DigestRepair applyDigestRepair(String space, List<MessageParts.SnapshotDoc> docs);

  /** Forgets the re-read of {@code key} without applying anything (it cannot be fetched). */
  void dropReread(DocumentKey key);

  /**
   * Moves an outbox row that can never be sent (beyond the protocol's limits) to the rejected
   * changes, and leaves an empty change at its seq, so the replica's seqs stay contiguous and the
   * rows behind it still go out.
   *
   * @return the rejection, or empty if no such row is in the outbox
   */
  Optional<RejectedChange> replaceUnsendable(long seq, String code, String message);

  /** Returns the rejected changes, oldest first. */
  List<RejectedChange> rejected();

  /** Returns the number of rejected changes. */
  long rejectedCount();

  /**
   * Returns, in one transaction, what a status shows: {@link #pendingCount()}, {@link
   * #rejectedCount()}, and the {@link #cursor} and {@link #snapshotInProgress} of each of {@code
   * spaces}.
   */
  StatusCounts statusCounts(List<String> spaces);

  /** Forgets a rejected change; returns whether it existed. */
  boolean dismissRejected(long id);

  /**
   * Deletes every document of {@code space}, its cursor, and moves its unsent changes to the
   * rejected ones (code {@code revoked}). If that removed unsent changes or a document holding this
   * replica's dots, retires the replica id (see {@link #rekey}): dots are numbered per document
   * from what its context remembers, so the old id would otherwise reuse dots it already made. The
   * record of the space's reported stable point stays (unless the id was retired): if the space is
   * granted again, the same id reports nothing for it until its point has climbed back.
   */
  Purge purgeSpace(String space);

  /**
   * Purges {@code space} as {@link #purgeSpace(String)} does because the app unsubscribed from it:
   * its unsent changes become rejected changes with code {@code unsubscribed}.
   */
  Purge unsubscribeSpace(String space);

  /** Returns the number of outbox rows of {@code space}. */
  long pendingCount(String space);

  /**
   * Moves every unsent change of {@code space} to the rejected changes with {@code code} and {@code
   * message}, keeping the space's documents as they are (the values stay visible locally, as for
   * any rejection): used when the server refuses whole pushes into the space. If rows moved,
   * retires the replica id as {@link #purgeSpace} does, so the seqs left stay contiguous.
   *
   * @return the rejections (documents empty) and whether the id was retired
   */
  Purge rejectUnsent(String space, String code, String message);

  /**
   * Retires the replica id: takes a new one and renumbers the outbox rows 1, 2, 3, ... under it,
   * keeping their order and content (their dots keep the ids they were made under). The old id
   * becomes the {@link #predecessor}. Used when another copy of this database may use the same
   * replica id, when the server disagrees with this id's seqs, and by {@link #purgeSpace}. The
   * records of reported stable points are forgotten: the new id reports afresh.
   *
   * @param redelivery which rows may repeat writes the server already holds under the retired id
   * @return the new identity
   */
  ReplicaInfo rekey(String reason, Redelivery redelivery);

  /**
   * Returns the replica id this one succeeded at its last re-key, while an outbox row made under it
   * (or an older id) is unacknowledged; the server accepts that lineage's dots from this replica
   * once it is declared in {@code hello}. Empty when no such row remains.
   */
  Optional<String> predecessor();

  /**
   * Returns the ids the {@link #predecessor} succeeded in turn, its own predecessor first, as far
   * as this file knows (at most {@link dev.converge.core.protocol.Message.Hello#MAX_LINEAGE});
   * empty when no predecessor is declared. Named in {@code hello} beside the predecessor, so the
   * server learns a chain whose middle ids never said hello.
   */
  List<String> olderPredecessors();

  /**
   * Stops declaring the {@link #predecessor}: the server refused it (another user's replica id), so
   * naming it again under any new id would not help. The rows carrying its dots stay in the outbox
   * and are sent; the server refuses them, and they become rejected changes the app can see.
   */
  void dropPredecessor();

  /**
   * Returns up to {@code limit} document ids of a collection after {@code afterDocId} (null for the
   * first page), in id order.
   */
  List<String> documentIds(String space, String collection, String afterDocId, int limit);

  /** Runs a collection query in SQLite; see {@link CollectionQuery}. */
  List<StoredDocument> query(CollectionQuery query);

  /** Returns every space this replica holds something of (documents, cursor or unsent changes). */
  List<String> spacesHeld();

  /** Returns the database file ({@code -wal} and {@code -shm} files sit beside it). */
  java.nio.file.Path file();

  /** Closes the database. */
  @Override
  void close();
}
