package dev.converge.core.digest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a space's Merkle tree over document digests: {@value #FANOUT}-way, {@value #DEPTH}
 * levels below the root, so {@value #LEAVES} leaf buckets (a space of 100,000 documents has about
 * 24 per leaf). A document's leaf is the first {@value #DEPTH} hex digits of the SHA-256 of {@code
 * collection + "\n" + docId} (ids hold no control characters, so the separator is unambiguous). A
 * node is named by its path: the hex digits of the children taken from the root ({@code ""} is the
 * root, {@code "3a"} a node of the second level, {@code "3a7"} a leaf). Protocol constants: both
 * ends must agree on them.
 */
public final class DigestTree {

  /** Children per node. */
  public static final int FANOUT = 16;

  /** Levels below the root; a leaf's path has this many hex digits. */
  public static final int DEPTH = 3;

  /** Leaf buckets: {@code FANOUT^DEPTH}. */
  public static final int LEAVES = 1 << (4 * DEPTH);

  /**
   * Documents one leaf entry of {@code digest} or {@code digests} may list (a space of 100,000
   * documents holds about 24 per leaf; 4 million, about 1,000): larger leaves are answered in
   * parts.
   */
  public static final int MAX_LEAF_DOCS = 1024;

  private DigestTree() {}

  /** Returns the leaf bucket of a document, in {@code [0, LEAVES)}. */
  public static int leafOf(String collection, String docId) {
    byte[] hash = DocDigest.sha256((collection + "\n" + docId).getBytes(StandardCharsets.UTF_8));
    int first = ((hash[0] & 0xff) << 8) | (hash[1] & 0xff);
    return first >>> (16 - 4 * DEPTH);
  }

  /** Returns the path of leaf {@code leaf}: {@value #DEPTH} lowercase hex digits. */
  public static String leafPath(int leaf) {
    StringBuilder path = new StringBuilder(DEPTH);
    for (int level = DEPTH - 1; level >= 0; level--) {
      path.append(Character.forDigit((leaf >>> (4 * level)) & 0xf, 16));
    }
    return path.toString();
  }

  /** Returns whether {@code path} names a node: at most {@value #DEPTH} lowercase hex digits. */
  public static boolean isPath(String path) {
    return path != null && path.length() <= DEPTH && DocDigest.Bytes.isLowerHex(path);
  }

  /** Returns whether {@code path} names a leaf. */
  public static boolean isLeaf(String path) {
    return path.length() == DEPTH;
  }

  /** Returns the index of the node at {@code path} among the nodes of its level. */
  public static int index(String path) {
    return path.isEmpty() ? 0 : Integer.parseInt(path, 16);
  }

  /** Returns the first leaf under the node at {@code path}. */
  public static int firstLeaf(String path) {
    return index(path) << (4 * (DEPTH - path.length()));
  }

  /** Returns the last leaf under the node at {@code path}. */
  public static int lastLeaf(String path) {
    return firstLeaf(path) + (1 << (4 * (DEPTH - path.length()))) - 1;
  }

  /**
   * Returns how far to shift a leaf index right to get the index of its child of the node at {@code
   * path} (an inner node), within that level.
   */
  public static int childShift(String path) {
    return 4 * (DEPTH - path.length() - 1);
  }

  /** Returns the path of child {@code child} (0..15) of the node at {@code path}. */
  public static String child(String path, int child) {
    return path + Character.forDigit(child, 16);
  }

  /**
   * Returns the paths of the children of the node at {@code path} whose hashes differ between
   * {@code mine} and {@code theirs} (both {@link #FANOUT} wire hashes, in child order).
   */
  public static List<String> differing(String path, List<String> mine, List<String> theirs) {
    List<String> paths = new ArrayList<>();
    for (int child = 0; child < FANOUT; child++) {
      if (!mine.get(child).equals(theirs.get(child))) {
        paths.add(child(path, child));
      }
    }
    return paths;
  }
}
