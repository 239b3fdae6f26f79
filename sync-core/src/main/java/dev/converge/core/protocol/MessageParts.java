package dev.converge.core.protocol;

import dev.converge.core.crdt.Document;
import java.util.Objects;

/**
 * The records the {@link Message}s of the sync protocol are made of: subscriptions, heads and
 * stable points of spaces, ack results, logged changes and their origins, snapshot entries,
 * document names and digests. Immutable values; {@link ProtocolCodec} encodes and decodes them with
 * their messages.
 */
public final class MessageParts {

  private MessageParts() {}

  /**
   * A space and the client's cursor in it: the last serverSeq it has applied (0 for none); {@code
   * stable} is the replica's stable point in the space ({@link SpaceStable}), or null when it
   * reports none; {@code epoch} is the log chain at {@code since} as the client received it (the
   * space's log identity, docs/protocol-2.md "Log epoch"), or null when it knows none.
   */
  public record Subscription(String space, long since, Long stable, String epoch) {
    /** Creates a subscription. */
    public Subscription {
      Objects.requireNonNull(space, "space");
    }

    /** Creates a subscription without an epoch. */
    public Subscription(String space, long since, Long stable) {
      this(space, since, stable, null);
    }

    /** Creates a subscription without a stable point. */
    public Subscription(String space, long since) {
      this(space, since, null, null);
    }
  }

  /**
   * A replica's stable point in a space: a serverSeq such that every changeset this replica will
   * still push for the space was made with a context holding every change of the space up to it
   * (the lesser of its cursor and the cursor at which its oldest unacked change was made). Monotone
   * per replica and space.
   */
  public record SpaceStable(String space, long stable) {
    /** Creates a stable point report. */
    public SpaceStable {
      Objects.requireNonNull(space, "space");
    }
  }

  /**
   * A space and its head: the greatest serverSeq committed in it; in {@code welcome}, also the log
   * chain at the head ({@code epoch}, null when the server knows none) and whether the client's
   * history of the space differs from the server's ({@code restored}: the server was restored from
   * a backup, and the client repairs it, docs/protocol-2.md "Log epoch").
   */
  public record SpaceHead(String space, long head, String epoch, boolean restored) {
    /** Creates a head record. */
    public SpaceHead {
      Objects.requireNonNull(space, "space");
    }

    /** Creates a head record without an epoch. */
    public SpaceHead(String space, long head) {
      this(space, head, null, false);
    }
  }

  /** Which serverSeq a pushed changeset got. */
  public record AckResult(long seq, long serverSeq) {}

  /** Which replica change a logged change came from. */
  public record Origin(String replicaId, long seq) {
    /** Creates an origin. */
    public Origin {
      Objects.requireNonNull(replicaId, "replicaId");
    }
  }

  /**
   * One logged change, or a delta-group: the join of the changes {@code fromSeq..serverSeq} of one
   * document ({@code fromSeq == serverSeq} for a single change). A group has no single origin.
   *
   * @param delta the delta, as a value or as the text the codec wrote ({@link Payload})
   * @param origin the change's origin, or null for a group
   */
  public record ChangeItem(
      long serverSeq, long fromSeq, String collection, String docId, Payload delta, Origin origin) {
    /** Creates an item; {@code origin} may be null for a group. */
    public ChangeItem {
      Objects.requireNonNull(collection, "collection");
      Objects.requireNonNull(docId, "docId");
      Objects.requireNonNull(delta, "delta");
    }

    /** An item of a decoded delta. */
    public ChangeItem(
        long serverSeq, long fromSeq, String collection, String docId, Document delta, Origin o) {
      this(serverSeq, fromSeq, collection, docId, Payload.of(delta), o);
    }

    /** A single logged change. */
    public ChangeItem(
        long serverSeq, String collection, String docId, Payload delta, Origin origin) {
      this(serverSeq, serverSeq, collection, docId, delta, origin);
    }

    /** A single logged change of a decoded delta. */
    public ChangeItem(
        long serverSeq, String collection, String docId, Document delta, Origin origin) {
      this(serverSeq, serverSeq, collection, docId, Payload.of(delta), origin);
    }
  }

  /**
   * A document's full state in a snapshot.
   *
   * @param state the state, as a value or as the text the codec wrote ({@link Payload})
   */
  public record SnapshotDoc(String collection, String docId, Payload state) {
    /** Creates a snapshot entry. */
    public SnapshotDoc {
      Objects.requireNonNull(collection, "collection");
      Objects.requireNonNull(docId, "docId");
      Objects.requireNonNull(state, "state");
    }

    /** A snapshot entry of a decoded state. */
    public SnapshotDoc(String collection, String docId, Document state) {
      this(collection, docId, Payload.of(state));
    }
  }

  /** A document of a space, named in a {@link Message.Fetch}. */
  public record DocName(String collection, String docId) {
    /** Creates a document name. */
    public DocName {
      Objects.requireNonNull(collection, "collection");
      Objects.requireNonNull(docId, "docId");
    }
  }

  /**
   * A document of a leaf of the digest tree and its digest ({@code hash}: 32 hex digits, or null
   * for a document the sender does not hold).
   */
  public record DigestDoc(String collection, String docId, String hash) {
    /** Creates a digest entry. */
    public DigestDoc {
      Objects.requireNonNull(collection, "collection");
      Objects.requireNonNull(docId, "docId");
    }
  }
}
