package dev.converge.sdk;

/** Text checks the public API shares. Stateless. */
final class Text {

  private Text() {}

  /**
   * Whether {@code s} is empty or only whitespace, as {@code String.isBlank()} (Java 11) decides,
   * which Android API 26 lacks.
   */
  static boolean isBlank(String s) {
    return s.codePoints().allMatch(Character::isWhitespace);
  }
}
