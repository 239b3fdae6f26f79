package dev.converge.core.protocol;

import dev.converge.core.protocol.MessageParts.AckResult;
import dev.converge.core.protocol.MessageParts.ChangeItem;
import dev.converge.core.protocol.MessageParts.DigestDoc;
import dev.converge.core.protocol.MessageParts.DocName;
import dev.converge.core.protocol.MessageParts.SnapshotDoc;
import dev.converge.core.protocol.MessageParts.SpaceHead;
import dev.converge.core.protocol.MessageParts.SpaceStable;
import dev.converge.core.protocol.MessageParts.Subscription;
import java.util.List;
import java.util.Objects;

/**
 * The messages of the sync protocol, version {@value #PROTOCOL_VERSION}: JSON objects with a {@code
 * type}, sent as WebSocket text frames. {@link ProtocolCodec} encodes and decodes them.
 */
public sealed interface Message
    permits Message.Hello,
        Message.Welcome,
        Message.Push,
        Message.Ack,
        Message.Changes,
        Message.Snapshot,
        Message.Auth,
        Message.Authed,
        Message.Revoked,
        Message.Sync,
        Message.Synced,
        Message.Fetch,
        Message.Docs,
        Message.Subscribe,
        Message.Subscribed,
        Message.Unsubscribe,
        Message.Unsubscribed,
        Message.Digest,
        Message.Digests,
        Message.Error {

  /** The protocol version this code speaks. */
  int PROTOCOL_VERSION = 2;

  /**
   * Returns the wire name of this message's type: its record's simple name in lower case ({@code
   * hello}, {@code changes}, ...), so the name is written once, in the record's declaration.
   */
  default String type() {
    return WireNames.of(this);
  }

  /**
   * Client to server, first message: who I am, where my cursor stands per space, and, after a
   * re-key, the replica id whose unsent writes this replica carries ({@code predecessor}, or null)
   * and the ids that one succeeded in turn ({@code lineage}: the predecessor's predecessor first,
   * at most {@link #MAX_LINEAGE}; empty without a predecessor), so the server learns a chain even
   * when an id in it never said hello (docs/protocol-2.md, "Re-key lineage").
   */
  record Hello(
      int protocol,
      String replicaId,
      List<Subscription> subscriptions,
      String predecessor,
      List<String> lineage)
      implements Message {

    /** The most ids {@code lineage} may name. */
    public static final int MAX_LINEAGE = 15;

    /** Creates a hello. */
    public Hello {
      Objects.requireNonNull(replicaId, "replicaId");
      subscriptions = List.copyOf(subscriptions);
      lineage = predecessor == null || lineage == null ? List.of() : List.copyOf(lineage);
    }

    /** Creates a hello naming only the nearest predecessor. */
    public Hello(
        int protocol, String replicaId, List<Subscription> subscriptions, String predecessor) {
      this(protocol, replicaId, subscriptions, predecessor, List.of());
    }

    /** Creates a hello of a replica without a predecessor. */
    public Hello(int protocol, String replicaId, List<Subscription> subscriptions) {
      this(protocol, replicaId, subscriptions, null);
    }
  }

  /** Server to client, answer to hello; {@code tokenExpiresAt} is epoch milliseconds. */
  record Welcome(String serverId, int protocol, long tokenExpiresAt, List<SpaceHead> spaces)
      implements Message {
    /** Creates a welcome. */
    public Welcome {
      Objects.requireNonNull(serverId, "serverId");
      spaces = List.copyOf(spaces);
    }
  }

  /**
   * Client to server: changesets to apply, in seq order per replica, and the replica's stable
   * points that changed since it last reported them ({@code stable}, possibly empty).
   */
  record Push(List<Changeset> changesets, List<SpaceStable> stable) implements Message {
    /** Creates a push. */
    public Push {
      changesets = List.copyOf(changesets);
      stable = stable == null ? List.of() : List.copyOf(stable);
    }

    /** Creates a push without stable points. */
    public Push(List<Changeset> changesets) {
      this(changesets, List.of());
    }
  }

  /** Server to client: the changesets up to {@code upToSeq} are durable. */
  record Ack(String replicaId, long upToSeq, List<AckResult> results) implements Message {
    /** Creates an ack. */
    public Ack {
      Objects.requireNonNull(replicaId, "replicaId");
      results = List.copyOf(results);
    }
  }

  /**
   * Server to client: the changes of a space with serverSeq in ({@code from}, {@code to}]; {@code
   * epoch} is the log chain at {@code to} (null when the server knows none).
   */
  record Changes(
      String space, long from, long to, List<ChangeItem> items, boolean more, String epoch)
      implements Message {
    /** Creates a changes message. */
    public Changes {
      Objects.requireNonNull(space, "space");
      items = List.copyOf(items);
    }

    /** Creates a changes message without an epoch. */
    public Changes(String space, long from, long to, List<ChangeItem> items, boolean more) {
      this(space, from, to, items, more, null);
    }
  }

  /**
   * Server to client: full document states at {@code head}, for a client whose cursor predates the
   * retained log; sent page by page, {@code more} is true on every page but the last. {@code epoch}
   * is the log chain at {@code head} (null when the server knows none).
   */
  record Snapshot(String space, long head, List<SnapshotDoc> docs, boolean more, String epoch)
      implements Message {
    /** Creates a snapshot page. */
    public Snapshot {
      Objects.requireNonNull(space, "space");
      docs = List.copyOf(docs);
    }

    /** Creates a snapshot page without an epoch. */
    public Snapshot(String space, long head, List<SnapshotDoc> docs, boolean more) {
      this(space, head, docs, more, null);
    }
  }

  /** Client to server: a fresh token on the open socket. */
  record Auth(String token) implements Message {
    /** Creates an auth message. */
    public Auth {
      Objects.requireNonNull(token, "token");
    }
  }

  /** Server to client: the fresh token was accepted; it expires at epoch milliseconds. */
  record Authed(long tokenExpiresAt) implements Message {}

  /** Server to client: the token no longer grants {@code space}; the client purges it. */
  record Revoked(String space) implements Message {
    /** Creates a revoked message. */
    public Revoked {
      Objects.requireNonNull(space, "space");
    }
  }

  /**
   * Client to server: what are the heads of my spaces now? The server answers {@link Synced} with
   * the heads committed when it read them; a client whose cursors reach them is caught up.
   *
   * @param ref a number the client picks to match the answer to its question
   * @param stable the replica's stable points that changed since it last reported them (possibly
   *     empty): how a replica with nothing to push reports them
   */
  record Sync(long ref, List<SpaceStable> stable) implements Message {
    /** Creates a sync message. */
    public Sync {
      stable = stable == null ? List.of() : List.copyOf(stable);
    }

    /** Creates a sync message without stable points. */
    public Sync(long ref) {
      this(ref, List.of());
    }
  }

  /**
   * Server to client: the answer to {@link Sync} {@code ref}, the current head of each subscribed
   * space.
   */
  record Synced(long ref, List<SpaceHead> spaces) implements Message {
    /** Creates a synced message. */
    public Synced {
      spaces = List.copyOf(spaces);
    }
  }

  /**
   * Client to server: send me the current state of these documents of {@code space} (a device whose
   * write was refused re-reads what that write superseded locally). Answered by {@link Docs} with
   * the same {@code ref}; each document at most once.
   */
  record Fetch(long ref, String space, List<DocName> docs) implements Message {
    /** Creates a fetch. */
    public Fetch {
      Objects.requireNonNull(space, "space");
      docs = List.copyOf(docs);
    }

    @Override
    public String type() {
      return "fetch";
    }
  }

  /**
   * Server to client: the answer to {@link Fetch} {@code ref}, each document's state at {@code
   * head} or later (a document the server does not hold has the empty state).
   */
  record Docs(long ref, String space, long head, List<SnapshotDoc> docs) implements Message {
    /** Creates a docs message. */
    public Docs {
      Objects.requireNonNull(space, "space");
      docs = List.copyOf(docs);
    }

    @Override
    public String type() {
      return "docs";
    }
  }

  /**
   * Client to server, on a welcomed session: start following these spaces, each from its cursor
   * ({@code since}, with an optional stable point, as in {@link Hello}). Answered by {@link
   * Subscribed} with the granted spaces; each refused space gets an {@code error} {@code
   * forbidden_space}.
   */
  record Subscribe(List<Subscription> subscriptions) implements Message {
    /** Creates a subscribe message. */
    public Subscribe {
      subscriptions = List.copyOf(subscriptions);
    }
  }

  /** Server to client: the answer to {@link Subscribe}, the head of each space now followed. */
  record Subscribed(List<SpaceHead> spaces) implements Message {
    /** Creates a subscribed message. */
    public Subscribed {
      spaces = List.copyOf(spaces);
    }
  }

  /**
   * Client to server: stop following these spaces; the replica leaves their live sets. Answered by
   * {@link Unsubscribed}.
   */
  record Unsubscribe(List<String> spaces) implements Message {
    /** Creates an unsubscribe message. */
    public Unsubscribe {
      spaces = List.copyOf(spaces);
    }
  }

  /**
   * Server to client: the answer to {@link Unsubscribe}; no {@code changes} of these spaces follow
   * it.
   */
  record Unsubscribed(List<String> spaces) implements Message {
    /** Creates an unsubscribed message. */
    public Unsubscribed {
      spaces = List.copyOf(spaces);
    }
  }

  /**
   * Client to server: a node of the space's digest tree (docs/protocol-2.md, "Digests"). For an
   * inner node ({@code path} shorter than the tree's depth) {@code hashes} are the sender's hashes
   * of its 16 children and {@code docs} is empty; for a leaf, {@code hashes} is empty and {@code
   * docs} lists the sender's documents in it with their digests. Answered by {@link Digests} with
   * the same {@code ref}.
   */
  record Digest(long ref, String space, String path, List<String> hashes, List<DigestDoc> docs)
      implements Message {
    /** Creates a digest message. */
    public Digest {
      Objects.requireNonNull(space, "space");
      Objects.requireNonNull(path, "path");
      hashes = List.copyOf(hashes);
      docs = List.copyOf(docs);
    }
  }

  /**
   * Server to client: the answer to {@link Digest} {@code ref}. For an inner node, the server's
   * hashes of its 16 children; for a leaf, the documents whose digest differs from the device's
   * (the server's digest, or a null hash for a listed document it does not hold); {@code more} when
   * the list was cut at its bound.
   */
  record Digests(
      long ref, String space, String path, List<String> hashes, List<DigestDoc> docs, boolean more)
      implements Message {
    /** Creates a digests message. */
    public Digests {
      Objects.requireNonNull(space, "space");
      Objects.requireNonNull(path, "path");
      hashes = List.copyOf(hashes);
      docs = List.copyOf(docs);
    }
  }

  /**
   * Either direction: something was wrong. {@code ref} is the offending changeset seq, or null;
   * {@code retryAfterMs}, when set, is how long the client should wait before retrying.
   */
  record Error(String code, String message, Long ref, Long retryAfterMs) implements Message {
    /** Creates an error. */
    public Error {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }

    /** Creates an error without a retry hint. */
    public Error(String code, String message, Long ref) {
      this(code, message, ref, null);
    }

    /** Creates an error of a known code without a retry hint. */
    public Error(ErrorCode code, String message, Long ref) {
      this(code.wire(), message, ref, null);
    }

    /** Returns the code if this build knows it (a newer server may send others). */
    public java.util.Optional<ErrorCode> knownCode() {
      return ErrorCode.fromWire(code);
    }

    /** Returns what a client does about this error; unknown codes are transient. */
    public ErrorCode.Handling handling() {
      return ErrorCode.handlingOf(code);
    }
  }
}
