package dev.converge.core.protocol;

import java.util.List;
import java.util.Objects;

/**
 * The {@code changes}, {@code snapshot} and {@code push} messages with their documents already in
 * the wire encoding: each delta or state is JSON text that {@link ProtocolCodec#encode(Encoded)}
 * splices into the frame as it is. Encode once, send many times: the server keeps every logged
 * delta and stored state as the text the codec wrote, and a device may keep its unsent deltas so,
 * and re-encoding them for every frame would only cost time.
 *
 * <p>A frame written from an {@code Encoded} message is byte for byte the frame of the equal {@link
 * Message} (same fields, same order, same optional fields), since one writer lays out both.
 *
 * <p>The JSON text is trusted, not checked: pass only text this system's codec wrote ({@link
 * ProtocolCodec#encodeDocument}), never input received from a peer. Records are immutable.
 */
public sealed interface Encoded
    permits Encoded.Changes, Encoded.Snapshot, Encoded.Docs, Encoded.Push {

  /** Returns the wire name of this message's type. */
  String type();

  /**
   * One item of a {@code changes} frame: a logged change, or a delta-group joining the changes
   * {@code fromSeq..serverSeq} of one document (no single origin), as {@link Message.ChangeItem}.
   *
   * @param deltaJson the delta in its wire encoding, written as it is
   * @param origin the change's origin, or null for a group
   */
  record ChangeItem(
      long serverSeq,
      long fromSeq,
      String collection,
      String docId,
      String deltaJson,
      Message.Origin origin) {
    /** Creates an item; {@code origin} may be null. */
    public ChangeItem {
      Objects.requireNonNull(collection, "collection");
      Objects.requireNonNull(docId, "docId");
      Objects.requireNonNull(deltaJson, "deltaJson");
    }

    /** A single logged change. */
    public ChangeItem(
        long serverSeq, String collection, String docId, String deltaJson, Message.Origin origin) {
      this(serverSeq, serverSeq, collection, docId, deltaJson, origin);
    }
  }

  /** {@link Message.Changes} with encoded deltas. */
  record Changes(String space, long from, long to, List<ChangeItem> items, boolean more)
      implements Encoded {
    /** Creates a changes message. */
    public Changes {
      Objects.requireNonNull(space, "space");
      items = List.copyOf(items);
    }

    @Override
    public String type() {
      return "changes";
    }
  }

  /**
   * A document's full state in a snapshot page, as {@link Message.SnapshotDoc}.
   *
   * @param stateJson the state in its wire encoding, written as it is
   */
  record SnapshotDoc(String collection, String docId, String stateJson) {
    /** Creates a snapshot entry. */
    public SnapshotDoc {
      Objects.requireNonNull(collection, "collection");
      Objects.requireNonNull(docId, "docId");
      Objects.requireNonNull(stateJson, "stateJson");
    }
  }

  /** {@link Message.Snapshot} with encoded states. */
  record Snapshot(String space, long head, List<SnapshotDoc> docs, boolean more)
      implements Encoded {
    /** Creates a snapshot page. */
    public Snapshot {
      Objects.requireNonNull(space, "space");
      docs = List.copyOf(docs);
    }

    @Override
    public String type() {
      return "snapshot";
    }
  }

  /** {@link Message.Docs} with each state as stored text. */
  record Docs(long ref, String space, long head, List<SnapshotDoc> docs) implements Encoded {
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
   * {@link Message.Push} with its changesets already encoded, each as {@link
   * ProtocolCodec#encodeChangeset} wrote it: a device keeps the push-ready text of every unsent
   * change, so a retry sends the very bytes of the first attempt.
   *
   * @param changesets the changesets' wire encodings, in seq order, written as they are
   * @param stable the stable points to report, possibly empty
   */
  record Push(List<String> changesets, List<Message.SpaceStable> stable) implements Encoded {
    /** Creates a push. */
    public Push {
      changesets = List.copyOf(changesets);
      stable = stable == null ? List.of() : List.copyOf(stable);
    }

    @Override
    public String type() {
      return "push";
    }
  }
}
