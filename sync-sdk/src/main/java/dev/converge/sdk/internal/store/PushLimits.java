package dev.converge.sdk.internal.store;

import dev.converge.core.protocol.CodecLimits;
import dev.converge.core.protocol.DecodeException;
import dev.converge.core.protocol.ProtocolCodec;

/**
 * Whether a change can travel: the receiving end decodes every push with the codec's {@link
 * dev.converge.core.protocol.CodecLimits}, so a change is checked here by the same decoding before
 * it is committed locally (a write that could never be sent fails at the call) and again before it
 * is pushed (a row written by an older build, or under other limits, is caught before it wedges the
 * outbox).
 *
 * <p>Immutable and thread-safe.
 */
public final class PushLimits {

  /**
   * Room for the push envelope around one changeset: {@code {"type":"push","changesets":[...]}}.
   */
  public static final int ENVELOPE_CHARS = 64;

  private final ProtocolCodec codec;

  /** Checks against the limits of {@code codec}. */
  public PushLimits(ProtocolCodec codec) {
    this.codec = codec;
  }

  /**
   * Checks that a changeset's wire encoding fits a push the codec accepts; most text is cleared
   * without decoding.
   *
   * @param encoded the changeset's push-ready text
   * @return its length, in characters
   * @throws IllegalArgumentException naming the limit if it does not fit
   */
  public int check(String encoded) {
    int max = codec.limits().maxInputChars() - ENVELOPE_CHARS;
    if (encoded.length() > max) {
      throw new IllegalArgumentException(
          "the change encodes to "
              + encoded.length()
              + " characters; a push holds at most "
              + max
              + " (maxInputChars)");
    }
    if (clearlyWithin(encoded)) {
      return encoded.length();
    }
    try {
      codec.decodeChangeset(encoded);
    } catch (DecodeException e) {
      throw tooLarge(e);
    }
    return encoded.length();
  }

  /**
   * Whether no limit can be broken, without decoding (every local write passes here): text shorter
   * than the string and entry limits holds no longer string and no larger array, and JSON nested no
   * deeper than the depth limit holds no deeper document.
   */
  private boolean clearlyWithin(String encoded) {
    CodecLimits limits = codec.limits();
    if (encoded.length() >= Math.min(limits.maxStringLength(), limits.maxEntries())) {
      return false;
    }
    int depth = 0;
    boolean inString = false;
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        if (++depth > limits.maxDepth()) {
          return false;
        }
      } else if (c == '}' || c == ']') {
        depth--;
      }
    }
    return true;
  }

  /** Returns the most characters a push may hold, envelope included. */
  public int maxPushChars() {
    return codec.limits().maxInputChars();
  }

  private static IllegalArgumentException tooLarge(DecodeException e) {
    return new IllegalArgumentException(
        "the change is beyond the protocol's limits: " + e.getMessage(), e);
  }
}
