package dev.converge.core.digest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The digest tree of one space held in memory, kept incrementally: the {@link DigestTree#LEAVES}
 * leaf hashes, from which every inner node is combined on demand. Not thread-safe.
 */
public final class SpaceDigest {

  private final NodeHash[] leaves = new NodeHash[DigestTree.LEAVES];

  /** An empty tree. */
  public SpaceDigest() {
    Arrays.fill(leaves, NodeHash.EMPTY);
  }

  /**
   * Replaces a document's digest: {@code before} (null if it had none) goes out of its leaf, {@code
   * after} (null if it has none now) comes in.
   */
  public void replace(String collection, String docId, DocDigest before, DocDigest after) {
    int leaf = DigestTree.leafOf(collection, docId);
    NodeHash node = leaves[leaf];
    if (before != null) {
      node = node.minus(before);
    }
    if (after != null) {
      node = node.plus(after);
    }
    leaves[leaf] = node;
  }

  /** Adds a document's digest. */
  public void add(String collection, String docId, DocDigest digest) {
    replace(collection, docId, null, digest);
  }

  /** Returns the hash of the node at {@code path}. */
  public NodeHash node(String path) {
    NodeHash hash = NodeHash.EMPTY;
    for (int leaf = DigestTree.firstLeaf(path); leaf <= DigestTree.lastLeaf(path); leaf++) {
      hash = hash.plus(leaves[leaf]);
    }
    return hash;
  }

  /** Returns the hashes of the {@link DigestTree#FANOUT} children of the inner node at path. */
  public List<NodeHash> children(String path) {
    List<NodeHash> children = new ArrayList<>(DigestTree.FANOUT);
    for (int child = 0; child < DigestTree.FANOUT; child++) {
      children.add(node(DigestTree.child(path, child)));
    }
    return children;
  }

  /** Returns the hashes of the children in their wire form. */
  public static List<String> wire(List<NodeHash> hashes) {
    List<String> out = new ArrayList<>(hashes.size());
    for (NodeHash hash : hashes) {
      out.add(hash.wire());
    }
    return out;
  }
}
