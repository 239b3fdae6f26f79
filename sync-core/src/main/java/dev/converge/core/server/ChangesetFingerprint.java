package dev.converge.core.server;

import dev.converge.core.protocol.Changeset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A digest of everything a changeset says (space, collection, docId, hlc, the delta's canonical
 * encoding and, for a range, its last seq), so that a re-push under an already consumed seq is
 * recognised as the same changeset only when all of it is the same.
 */
public final class ChangesetFingerprint {
  private ChangesetFingerprint() {}

  /**
   * Returns the hex SHA-256 of the changeset's fields, {@code encodedDelta} being its canonical
   * delta.
   */
  public static String of(Changeset changeset, String encodedDelta) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part :
          new String[] {
            changeset.space(),
            changeset.collection(),
            changeset.docId(),
            changeset.hlc().toString(),
            encodedDelta
          }) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        // Length-prefixed, so that no two different field splits digest alike.
        sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) ':');
        sha.update(bytes);
      }
      if (changeset.isRange()) {
        // Only for a range, so the fingerprints kept for single changesets stay valid.
        sha.update(("toSeq:" + changeset.toSeq()).getBytes(StandardCharsets.US_ASCII));
      }
      return hex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  /** Lower-case hex, as {@code HexFormat} (Java 17) writes it; Android API 26 lacks HexFormat. */
  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return out.toString();
  }
}
