package dev.converge.core.digest;

import dev.converge.core.crdt.Document;
import dev.converge.core.protocol.ProtocolCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The 128-bit digest of one document's state: the first 16 bytes of the SHA-256 of its canonical
 * encoding ({@link ProtocolCodec#encodeDocument}), as two big-endian longs. Encodings are canonical
 * (maps, sets and dots sorted), so equal states have equal digests whatever order their deltas were
 * joined in. The empty state ({@code {"s":{},"c":{}}}) has no digest: a document in that state is
 * left out of every tree, as if absent, on both sides.
 *
 * @param h1 the first 8 bytes of the hash
 * @param h2 the next 8 bytes
 */
public record DocDigest(long h1, long h2) {

  /** The canonical encoding of the empty state, which has no digest. */
  public static final String EMPTY_STATE = "{\"s\":{},\"c\":{}}";

  /** Characters of {@link #hex()}: 32 lowercase hex digits. */
  public static final int HEX_LENGTH = 32;

  /**
   * Returns the digest of a state given in its canonical encoding (text this codec wrote), or null
   * for the empty state.
   */
  public static DocDigest ofEncoded(String canonicalState) {
    if (EMPTY_STATE.equals(canonicalState)) {
      return null;
    }
    byte[] hash = sha256(canonicalState.getBytes(StandardCharsets.UTF_8));
    return new DocDigest(Bytes.longAt(hash, 0), Bytes.longAt(hash, 8));
  }

  /** Returns the digest of {@code state}, encoded with {@code codec}, or null if it is empty. */
  public static DocDigest of(Document state, ProtocolCodec codec) {
    return ofEncoded(codec.encodeDocument(state));
  }

  /** Returns the digest as 32 lowercase hex digits (its wire form). */
  public String hex() {
    return Bytes.hex(h1) + Bytes.hex(h2);
  }

  /**
   * Parses the wire form: exactly 32 lowercase hex digits.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static DocDigest parse(String hex) {
    if (hex == null || hex.length() != HEX_LENGTH || !Bytes.isLowerHex(hex)) {
      throw new IllegalArgumentException("a document digest is 32 lowercase hex digits");
    }
    return new DocDigest(
        Long.parseUnsignedLong(hex.substring(0, 16), 16),
        Long.parseUnsignedLong(hex.substring(16), 16));
  }

  @Override
  public String toString() {
    return hex();
  }

  static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform (and Android) must provide SHA-256.
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** Byte and hex helpers. */
  static final class Bytes {
    private Bytes() {}

    static long longAt(byte[] bytes, int offset) {
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = (value << 8) | (bytes[offset + i] & 0xffL);
      }
      return value;
    }

    static String hex(long value) {
      String digits = Long.toHexString(value).toLowerCase(Locale.ROOT);
      StringBuilder out = new StringBuilder(16);
      for (int i = digits.length(); i < 16; i++) {
        out.append('0');
      }
      return out.append(digits).toString();
    }

    static boolean isLowerHex(String text) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
          return false;
        }
      }
      return true;
    }
  }
}
