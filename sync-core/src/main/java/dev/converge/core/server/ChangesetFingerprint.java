package dev.converge.core.server;

import dev.converge.core.protocol.Changeset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A digest of everything a changeset says (space, collection, docId, hlc and the delta's canonical
 * encoding), so that a re-push under an already consumed seq is recognised as the same changeset
 * only when all of it is the same.
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
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
