package dev.converge.core.protocol;

/**
 * Bounds that decoding enforces on untrusted input, so that a hostile message fails fast instead
 * of exhausting memory or stack.
 *
 * @param maxDepth greatest nesting of maps inside a document (and of JSON inside register values)
 * @param maxEntries greatest number of entries in any one array or object
 * @param maxStringLength longest string (ids, keys, register strings), in characters
 * @param maxInputChars longest input accepted, in characters
 */
public record CodecLimits(int maxDepth, int maxEntries, int maxStringLength, int maxInputChars) {

  /** Defaults suited to a sync server facing the internet. */
  public static final CodecLimits DEFAULTS = new CodecLimits(32, 100_000, 65_536, 16 * 1024 * 1024);

  /**
   * Creates limits.
   *
   * @throws IllegalArgumentException if a limit is not positive
   */
  public CodecLimits {
    if (maxDepth <= 0) {
      throw new IllegalArgumentException("maxDepth <= 0");
    }
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("maxEntries <= 0");
    }
    if (maxStringLength <= 0) {
      throw new IllegalArgumentException("maxStringLength <= 0");
    }
    if (maxInputChars <= 0) {
      throw new IllegalArgumentException("maxInputChars <= 0");
    }
  }
}
