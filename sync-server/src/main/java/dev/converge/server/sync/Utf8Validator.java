package dev.converge.server.sync;

/**
 * Incremental UTF-8 validation (RFC 3629) of a text message that arrives in frames: bytes are fed
 * as they come, a sequence may be split across frames. Rejects overlong forms, encoded surrogates
 * and code points beyond U+10FFFF, as RFC 6455 §8.1 requires of text frames.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
final class Utf8Validator {

  private int remaining;
  private int codePoint;
  private int min;
  private boolean failed;

  /** Starts a new message. */
  void reset() {
    remaining = 0;
    failed = false;
  }

  /** Feeds one byte; returns false once the message is known to be invalid. */
  boolean accept(byte value) {
    if (failed) {
      return false;
    }
    int b = value & 0xFF;
    if (remaining == 0) {
      if (b < 0x80) {
        return true;
      }
      if (b >= 0xC2 && b <= 0xDF) {
        start(1, b & 0x1F, 0x80);
      } else if (b >= 0xE0 && b <= 0xEF) {
        start(2, b & 0x0F, 0x800);
      } else if (b >= 0xF0 && b <= 0xF4) {
        start(3, b & 0x07, 0x10000);
      } else {
        failed = true;
      }
      return !failed;
    }
    if ((b & 0xC0) != 0x80) {
      failed = true;
      return false;
    }
    codePoint = (codePoint << 6) | (b & 0x3F);
    if (--remaining == 0
        && (codePoint < min
            || codePoint > 0x10FFFF
            || (codePoint >= 0xD800 && codePoint <= 0xDFFF))) {
      failed = true;
    }
    return !failed;
  }

  /** Whether the bytes fed since {@link #reset()} form complete, valid UTF-8. */
  boolean complete() {
    return !failed && remaining == 0;
  }

  private void start(int continuation, int bits, int smallest) {
    remaining = continuation;
    codePoint = bits;
    min = smallest;
  }
}
