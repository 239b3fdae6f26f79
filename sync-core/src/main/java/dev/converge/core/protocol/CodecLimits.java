package dev.converge.core.protocol;

/**
 * Bounds that decoding enforces on untrusted input, so that a hostile message fails fast instead of
 * exhausting memory or stack.
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
   * Nesting allowed in stored data: far above any input limit, since input limits may be lowered
   * after data was stored, yet low enough that recursive decoding cannot exhaust the stack.
   */
  private static final int STORED_MAX_DEPTH = 256;

  private static final CodecLimits STORED_DATA =
      new CodecLimits(STORED_MAX_DEPTH, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

  /**
   * Limits for decoding data this system wrote itself (a server's document states and logged
   * deltas, a device's stored states). Such data passed the input limits piece by piece, yet its
   * joins legitimately grow past them: a counter incremented a hundred thousand times holds more
   * entries than one message may carry. Decoding stored data with input limits would make a
   * document that grew that large unreadable for good, so sizes are unbounded here and only the
   * nesting depth keeps a (generous) bound.
   *
   * @return the limits for trusted stored data
   */
  public static CodecLimits storedData() {
    return STORED_DATA;
  }

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
