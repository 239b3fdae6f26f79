package dev.converge.core.digest;

import dev.converge.core.protocol.Message;
import dev.converge.core.protocol.MessageParts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's answer at a leaf of the digest tree (docs/protocol-2.md "Digests"): which documents
 * of the leaf differ between the device's digest and the server's stored digests, and the {@code
 * digests} frame naming them with the server's hashes. The one copy of this rule: the real server
 * and the deterministic simulation both answer with it. Stateless.
 */
public final class DigestLeaf {

  /** The order of documents within a leaf: collection, then document id. */
  public static final Comparator<MessageParts.DocName> ORDER =
      Comparator.comparing(MessageParts.DocName::collection)
          .thenComparing(MessageParts.DocName::docId);

  private DigestLeaf() {}

  /**
   * Returns the documents whose digests differ, in {@link #ORDER}: stored ones the device has with
   * another hash or not at all, and ones the device has that the server does not store.
   *
   * @param stored the server's digests of the leaf's documents in {@link #ORDER}, read with a limit
   *     of {@link DigestTree#MAX_LEAF_DOCS} + 1: when it holds more than the maximum, the leaf was
   *     cut and only the device's names up to the last one read are compared
   */
  public static List<MessageParts.DocName> differing(
      Message.Digest digest, Map<MessageParts.DocName, DocDigest> stored) {
    boolean cut = stored.size() > DigestTree.MAX_LEAF_DOCS;
    MessageParts.DocName last = null;
    for (MessageParts.DocName name : stored.keySet()) {
      last = name;
    }
    Map<MessageParts.DocName, String> device = new LinkedHashMap<>();
    for (MessageParts.DigestDoc doc : digest.docs()) {
      device.put(new MessageParts.DocName(doc.collection(), doc.docId()), doc.hash());
    }
    List<MessageParts.DocName> differing = new ArrayList<>();
    for (Map.Entry<MessageParts.DocName, DocDigest> entry : stored.entrySet()) {
      if (!entry.getValue().hex().equals(device.get(entry.getKey()))) {
        differing.add(entry.getKey());
      }
    }
    for (Map.Entry<MessageParts.DocName, String> entry : device.entrySet()) {
      boolean inRange = !cut || ORDER.compare(entry.getKey(), last) <= 0;
      if (entry.getValue() != null && !stored.containsKey(entry.getKey()) && inRange) {
        differing.add(entry.getKey());
      }
    }
    differing.sort(ORDER);
    return differing;
  }

  /**
   * Returns the {@code digests} frame answering {@code digest} at its leaf: the first {@link
   * DigestTree#MAX_LEAF_DOCS} differing documents with the server's hash (null where it stores
   * none), {@code more} when the differing ones or the stored leaf went past that bound.
   */
  public static Message.Digests answer(
      Message.Digest digest,
      Map<MessageParts.DocName, DocDigest> stored,
      List<MessageParts.DocName> differing) {
    boolean more =
        differing.size() > DigestTree.MAX_LEAF_DOCS || stored.size() > DigestTree.MAX_LEAF_DOCS;
    List<MessageParts.DigestDoc> docs = new ArrayList<>();
    for (MessageParts.DocName name :
        differing.subList(0, Math.min(differing.size(), DigestTree.MAX_LEAF_DOCS))) {
      DocDigest mine = stored.get(name);
      docs.add(
          new MessageParts.DigestDoc(
              name.collection(), name.docId(), mine == null ? null : mine.hex()));
    }
    return new Message.Digests(digest.ref(), digest.space(), digest.path(), List.of(), docs, more);
  }
}
