package dev.converge.core.server;

/** The UTF-8 length of a string, without encoding it: how stored bytes are counted. */
public final class Utf8Length {
  private Utf8Length() {}

  /** Returns how many bytes {@code s} takes in UTF-8 (an unpaired surrogate counts as 3). */
  public static long of(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
