package dev.converge.server.sync;

/**
 * Keeps {@code error} replies short whatever the input was: an error message quotes at most {@value
 * #MAX_QUOTE} characters of what the client sent and is at most {@value #MAX_LENGTH} characters
 * long, so a client sending huge junk cannot make the server queue huge replies. Thread-safe
 * (stateless).
 */
final class ErrorText {

  /** Most characters of one quoted piece of input kept in a message. */
  static final int MAX_QUOTE = 64;

  /** Most characters of a whole message. */
  static final int MAX_LENGTH = 256;

  private static final char ELLIPSIS = '\u2026';

  private ErrorText() {}

  /**
   * Returns {@code message} with every quoted piece ({@code '...'} or {@code "..."}, opened by a
   * quote that does not follow a letter, so "session's" opens none) cut to {@value #MAX_QUOTE}
   * characters, and the whole cut to {@value #MAX_LENGTH}.
   */
  static String bounded(String message) {
    if (message == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(message.length(), MAX_LENGTH + 1));
    int i = 0;
    while (i < message.length() && out.length() <= MAX_LENGTH) {
      char c = message.charAt(i);
      out.append(c);
      i++;
      if ((c == '\'' || c == '"') && (i < 2 || !Character.isLetter(message.charAt(i - 2)))) {
        int close = message.indexOf(c, i);
        int end = close < 0 ? message.length() : close;
        if (end - i > MAX_QUOTE) {
          out.append(message, i, i + MAX_QUOTE).append(ELLIPSIS);
        } else {
          out.append(message, i, end);
        }
        if (close >= 0) {
          out.append(c);
        }
        i = close < 0 ? message.length() : close + 1;
      }
    }
    if (out.length() > MAX_LENGTH || i < message.length()) {
      out.setLength(Math.min(out.length(), MAX_LENGTH - 1));
      out.append(ELLIPSIS);
    }
    return out.toString();
  }
}
