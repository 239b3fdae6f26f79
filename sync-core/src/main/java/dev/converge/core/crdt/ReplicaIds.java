package dev.converge.core.crdt;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Replica identifiers: a random 128-bit value written as 22 URL-safe base64 characters.
 *
 * <p>Other well-formed ids (1 to 64 characters of {@code [A-Za-z0-9._:-]}) are accepted too, so
 * that servers and tests may use readable names. Thread-safe.
 */
public final class ReplicaIds {

  /** Longest replica id accepted. */
  public static final int MAX_LENGTH = 64;

  private static final SecureRandom RANDOM = new SecureRandom();

  private ReplicaIds() {}

  /** Returns a new random 128-bit replica id. */
  public static String random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Returns whether {@code id} is a well-formed replica id. */
  public static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    // A loop, not a regex: every dot decoded (each logged delta a feed groups) checks its replica.
    for (int i = 0; i < id.length(); i++) {
      if (!allowed(id.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code c} is one of {@code [A-Za-z0-9._:-]}. */
  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == ':'
        || c == '-';
  }

  /**
   * Checks an id.
   *
   * @throws IllegalArgumentException naming the problem if the id is malformed
   */
  public static String requireValid(String id) {
    if (!isValid(id)) {
      throw new IllegalArgumentException(
          "replica id must be 1-"
              + MAX_LENGTH
              + " characters of [A-Za-z0-9._:-]: "
              + abbreviate(id));
    }
    return id;
  }

  static String abbreviate(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= 40
        ? "'" + s + "'"
        : "'" + s.substring(0, 37) + "...' (" + s.length() + " chars)";
  }
}
