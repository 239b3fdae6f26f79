package dev.converge.core.digest;

/**
 * The hash of a node of the digest tree: the XOR of the 128-bit digests of the documents under it,
 * and their count. XOR is its own inverse and commutes, so a node is kept incrementally (XOR the
 * old digest out, the new one in) and a parent is the combination of its children; PostgreSQL
 * computes it with {@code bit_xor} and {@code count}. The count tells apart sets whose digests XOR
 * alike (such as two documents with equal states against none).
 *
 * @param x1 XOR of the documents' {@link DocDigest#h1()}
 * @param x2 XOR of their {@link DocDigest#h2()}
 * @param count how many documents
 */
public record NodeHash(long x1, long x2, long count) {

  /** The hash of a node without documents. */
  public static final NodeHash EMPTY = new NodeHash(0, 0, 0);

  /** Longest wire form: 32 hex digits, a dot and a count of at most 19 digits. */
  public static final int MAX_WIRE_LENGTH = 52;

  /** Returns this node with {@code doc} added (or removed: XOR twice is nothing). */
  public NodeHash plus(DocDigest doc) {
    return new NodeHash(x1 ^ doc.h1(), x2 ^ doc.h2(), count + 1);
  }

  /** Returns this node with {@code doc}, which it holds, taken out. */
  public NodeHash minus(DocDigest doc) {
    return new NodeHash(x1 ^ doc.h1(), x2 ^ doc.h2(), count - 1);
  }

  /** Returns the combination of this node and {@code other}: the hash of both sets together. */
  public NodeHash plus(NodeHash other) {
    return new NodeHash(x1 ^ other.x1, x2 ^ other.x2, count + other.count);
  }

  /**
   * Returns the wire form: {@code ""} for the empty node, else 32 lowercase hex digits (x1, x2), a
   * dot and the count in decimal.
   */
  public String wire() {
    if (count == 0 && x1 == 0 && x2 == 0) {
      return "";
    }
    return DocDigest.Bytes.hex(x1) + DocDigest.Bytes.hex(x2) + "." + count;
  }

  /**
   * Parses the wire form.
   *
   * @throws IllegalArgumentException if {@code text} is not a node hash
   */
  public static NodeHash parse(String text) {
    if (text == null || text.length() > MAX_WIRE_LENGTH) {
      throw new IllegalArgumentException("a node hash is at most " + MAX_WIRE_LENGTH + " chars");
    }
    if (text.isEmpty()) {
      return EMPTY;
    }
    int dot = text.indexOf('.');
    if (dot != DocDigest.HEX_LENGTH || dot + 1 == text.length() || text.length() - dot - 1 > 18) {
      throw new IllegalArgumentException(
          "a node hash is 32 lowercase hex digits, '.', and a count of 1 to 18 digits");
    }
    DocDigest digest = DocDigest.parse(text.substring(0, dot));
    long count = 0;
    for (int i = dot + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9' || (i == dot + 1 && c == '0')) {
        throw new IllegalArgumentException("a node hash's count is a positive decimal number");
      }
      count = count * 10 + (c - '0');
    }
    return new NodeHash(digest.h1(), digest.h2(), count);
  }
}
