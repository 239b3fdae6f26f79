package dev.converge.core.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The identity of a space's log (docs/protocol-2.md, "Log epoch"): a hash chain over its entries.
 * The chain after entry {@code n} is {@code H(chain after n-1 || canonical bytes of entry n)}, H
 * being SHA-256 truncated to 128 bits, and the chain of an empty log is {@link #GENESIS}. Two logs
 * have the same chain at a serverSeq only if they hold the same entries up to it, so a server
 * restored from a backup that has taken new writes since (reusing serverSeqs a device already
 * passed) is told apart from the history the device followed.
 *
 * <p>Chains travel as 32 lowercase hexadecimal characters. I/O-free and thread-safe.
 */
public final class LogChain {

  /** Characters of a chain in its text form. */
  public static final int LENGTH = 32;

  /** The chain of a log without entries. */
  public static final String GENESIS = "00000000000000000000000000000000";

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private LogChain() {}

  /** Returns the chain after {@code entry}, given the chain before it. */
  public static String next(String previous, LogEntry entry) {
    requireValid(previous);
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
    sha.update(previous.getBytes(StandardCharsets.US_ASCII));
    sha.update(canonical(entry));
    byte[] digest = sha.digest();
    char[] text = new char[LENGTH];
    for (int i = 0; i < LENGTH / 2; i++) {
      text[2 * i] = HEX[(digest[i] >> 4) & 0xf];
      text[2 * i + 1] = HEX[digest[i] & 0xf];
    }
    return new String(text);
  }

  /** Returns the chain after each of {@code entries} in turn, starting from {@code previous}. */
  public static String after(String previous, Iterable<LogEntry> entries) {
    String chain = previous;
    for (LogEntry entry : entries) {
      chain = next(chain, entry);
    }
    return chain;
  }

  /**
   * Returns whether {@code text} is a chain in its wire form: exactly {@value #LENGTH} characters
   * of {@code 0-9a-f}.
   */
  public static boolean isValid(String text) {
    if (text == null || text.length() != LENGTH) {
      return false;
    }
    for (int i = 0; i < LENGTH; i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static void requireValid(String chain) {
    if (!isValid(chain)) {
      throw new IllegalArgumentException("not a log chain: " + chain);
    }
  }

  /**
   * The entry's canonical bytes: every component in declaration order, strings as a 4-byte length
   * and their UTF-8 bytes, numbers as 8 bytes, big-endian. The length prefixes keep two different
   * entries from ever sharing their bytes.
   */
  static byte[] canonical(LogEntry e) {
    byte[][] texts = {
      utf8(e.space()),
      utf8(e.collection()),
      utf8(e.docId()),
      utf8(e.replicaId()),
      utf8(e.hlc()),
      utf8(e.deltaJson())
    };
    int size = 16;
    for (byte[] text : texts) {
      size += 4 + text.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    put(out, texts[0]);
    out.putLong(e.serverSeq());
    put(out, texts[1]);
    put(out, texts[2]);
    put(out, texts[3]);
    out.putLong(e.seq());
    put(out, texts[4]);
    put(out, texts[5]);
    return out.array();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void put(ByteBuffer out, byte[] text) {
    out.putInt(text.length);
    out.put(text);
  }
}
